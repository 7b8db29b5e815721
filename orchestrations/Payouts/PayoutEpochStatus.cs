namespace Aisto.Orchestrations.Payouts;

/// <summary>Where an epoch's payout stands; a Published epoch has its root on chain but its report not yet stored.</summary>
public enum PayoutEpochStatus
{
    Pending,
    Running,
    Published,
    Completed,
    Failed,
}
