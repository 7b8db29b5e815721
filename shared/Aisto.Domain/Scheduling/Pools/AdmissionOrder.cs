using Aisto.Domain.Leases;

namespace Aisto.Domain.Scheduling.Pools;

/// <summary>
/// The order queued work is admitted in, shared by the simulated cycle (<see cref="AdmissionCycle"/>) and the
/// runtime's walk (<see cref="QueueAdmission"/>): class first (reserved, on-demand, spot); then work that has waited
/// past the age boost; then, among the rest, the tenant that holds the least; then request time and id.
/// </summary>
public static class AdmissionOrder
{
    /// <summary>Class rank in admission order: reserved, on-demand, spot.</summary>
    public static int ClassRank(LeaseClass leaseClass) => leaseClass switch
    {
        LeaseClass.Reserved => 0,
        LeaseClass.OnDemand => 1,
        _ => 2,
    };

    /// <summary>Negative when <paramref name="a"/> goes before <paramref name="b"/>.</summary>
    public static int Compare(
        (LeaseClass Class, DateTimeOffset EnqueuedAt, string Tenant, string Id) a,
        (LeaseClass Class, DateTimeOffset EnqueuedAt, string Tenant, string Id) b,
        IReadOnlyDictionary<string, long> tenantUse,
        DateTimeOffset asOf,
        TimeSpan ageBoostAfter)
    {
        ArgumentNullException.ThrowIfNull(tenantUse);
        var c = ClassRank(a.Class).CompareTo(ClassRank(b.Class));
        if (c != 0)
        {
            return c;
        }

        var aAged = asOf - a.EnqueuedAt >= ageBoostAfter;
        var bAged = asOf - b.EnqueuedAt >= ageBoostAfter;
        if (aAged != bAged)
        {
            return aAged ? -1 : 1;
        }

        if (!aAged)
        {
            c = tenantUse.GetValueOrDefault(a.Tenant).CompareTo(tenantUse.GetValueOrDefault(b.Tenant));
            if (c != 0)
            {
                return c;
            }
        }

        c = a.EnqueuedAt.CompareTo(b.EnqueuedAt);
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    }
}
