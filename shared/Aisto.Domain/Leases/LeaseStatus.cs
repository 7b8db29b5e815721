namespace Aisto.Domain.Leases;

/// <summary>Where a lease is in its life; the last five are terminal.</summary>
public enum LeaseStatus
{
    Queued,
    Provisioning,
    Active,
    Releasing,
    Released,
    Failed,
    Cancelled,
    Expired,
    Preempted,
}
