using System.Collections.Immutable;
using Aisto.Domain.Leases;

namespace Aisto.Domain.Scheduling.Pools;

/// <summary>
/// One region's GPUs seen through its pools: each pool's guarantee, what each pool holds, and which bookings are
/// borrowed. Within a pool the earliest bookings fill its guarantee; whatever a pool holds beyond it runs on other
/// pools' idle quota and is borrowed — so a booking stops being borrowed as soon as earlier work of its pool ends.
/// </summary>
public sealed class RegionPools
{
    private RegionPools(
        string region,
        ImmutableDictionary<CapacityPool, long> guaranteed,
        ImmutableDictionary<CapacityPool, long> held,
        ImmutableDictionary<string, RunningWork> work)
    {
        Region = region;
        Guaranteed = guaranteed;
        Held = held;
        Work = work;
    }

    public string Region { get; }

    /// <summary>Guaranteed GPU thousandths per pool (they sum to the region's GPUs).</summary>
    public ImmutableDictionary<CapacityPool, long> Guaranteed { get; }

    /// <summary>GPU thousandths each pool holds now.</summary>
    public ImmutableDictionary<CapacityPool, long> Held { get; }

    /// <summary>Every booking in the region as running work, by holder id, with its borrowed flag.</summary>
    public ImmutableDictionary<string, RunningWork> Work { get; }

    /// <summary>The pools of <paramref name="region"/> from its nodes.</summary>
    public static RegionPools Of(string region, IEnumerable<NodeState> nodes, PoolQuotas quotas)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        var inRegion = nodes.Where(n => n.Region == region).ToList();
        var guaranteed = quotas.GuaranteedGpuMilli(inRegion.Sum(n => (long)n.GpuCount * GpuDemand.MilliPerGpu));
        var held = Enum.GetValues<CapacityPool>().ToDictionary(p => p, _ => 0L);
        var work = ImmutableDictionary.CreateBuilder<string, RunningWork>(StringComparer.Ordinal);
        var bookings = inRegion
            .SelectMany(n => n.Allocations.Values)
            .OrderBy(a => a.Terms?.BookedAt ?? DateTimeOffset.MinValue)
            .ThenBy(a => a.HolderId, StringComparer.Ordinal);
        foreach (var a in bookings)
        {
            var pool = PoolOf(a.Pool);
            held[pool] += a.TotalGpuMilli;
            work[a.HolderId] = new RunningWork(
                a.HolderId,
                string.Empty,
                pool,
                a.Terms?.Class ?? LeaseClass.OnDemand,
                new ResourceAmount(a.TotalGpuMilli, a.CpuMilli, a.MemoryMiB),
                a.Terms?.BookedAt ?? DateTimeOffset.MinValue,
                a.Terms?.ExpectedEnd ?? DateTimeOffset.MaxValue,
                Borrowed: held[pool] > guaranteed[pool]);
        }

        return new RegionPools(region, guaranteed, held.ToImmutableDictionary(), work.ToImmutable());
    }

    /// <summary>The pool a booking's pool name stands for ("leasing", "depin", "incubation"; unknown → leasing).</summary>
    public static CapacityPool PoolOf(string pool) =>
        Enum.TryParse<CapacityPool>(pool, ignoreCase: true, out var parsed) ? parsed : CapacityPool.Leasing;

    /// <summary>
    /// Whether <paramref name="pool"/> may take <paramref name="gpuMilli"/> more: any class may borrow idle quota of
    /// other pools except reserved work, which must stay within its pool's guarantee (it is never preempted, so it
    /// may never sit on capacity another pool could reclaim).
    /// </summary>
    public bool Admits(CapacityPool pool, LeaseClass leaseClass, long gpuMilli) =>
        leaseClass != LeaseClass.Reserved || Held[pool] + gpuMilli <= Guaranteed[pool];

    /// <summary>Whether <paramref name="pool"/> is owed capacity for <paramref name="gpuMilli"/> more (within its guarantee).</summary>
    public bool IsOwed(CapacityPool pool, long gpuMilli) => Held[pool] + gpuMilli <= Guaranteed[pool];
}
