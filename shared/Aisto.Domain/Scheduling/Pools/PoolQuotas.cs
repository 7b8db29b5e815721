using System.Collections.Immutable;

namespace Aisto.Domain.Scheduling.Pools;

/// <summary>
/// Each pool's guaranteed share of a region's GPUs in percent (default 50 / 45 / 5). Guarantees are split by the
/// largest-remainder method, so they always sum exactly to the region's GPU capacity.
/// </summary>
public sealed record PoolQuotas
{
    public PoolQuotas(int leasingPercent = 50, int depinPercent = 45, int incubationPercent = 5)
    {
        if (leasingPercent < 0 || depinPercent < 0 || incubationPercent < 0 || leasingPercent + depinPercent + incubationPercent != 100)
        {
            throw new ArgumentException("Pool quotas must be non-negative and sum to 100 %.");
        }

        LeasingPercent = leasingPercent;
        DepinPercent = depinPercent;
        IncubationPercent = incubationPercent;
    }

    public static PoolQuotas Default { get; } = new();

    public int LeasingPercent { get; }
    public int DepinPercent { get; }
    public int IncubationPercent { get; }

    public int PercentOf(CapacityPool pool) => pool switch
    {
        CapacityPool.Leasing => LeasingPercent,
        CapacityPool.Depin => DepinPercent,
        _ => IncubationPercent,
    };

    /// <summary>Guaranteed GPU thousandths per pool; they sum to <paramref name="totalGpuMilli"/>.</summary>
    public ImmutableDictionary<CapacityPool, long> GuaranteedGpuMilli(long totalGpuMilli)
    {
        var pools = Enum.GetValues<CapacityPool>();
        var floors = pools.ToDictionary(p => p, p => totalGpuMilli * PercentOf(p) / 100);
        var remainder = totalGpuMilli - floors.Values.Sum();
        // Largest remainders first; pool order breaks ties so the split is deterministic.
        foreach (var pool in pools.OrderByDescending(p => totalGpuMilli * PercentOf(p) % 100).ThenBy(p => p).Take((int)remainder))
        {
            floors[pool]++;
        }

        return floors.ToImmutableDictionary();
    }
}
