namespace Aisto.Domain.Leases;

/// <summary>Facts about lease statuses that every layer needs.</summary>
public static class LeaseStatusExtensions
{
    public static bool IsTerminal(this LeaseStatus status) =>
        status is LeaseStatus.Released or LeaseStatus.Failed or LeaseStatus.Cancelled
            or LeaseStatus.Expired or LeaseStatus.Preempted;
}
