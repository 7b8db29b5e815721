using System.Collections.Immutable;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;

namespace Aisto.Domain.Scaling;

/// <summary>
/// Turns one moment's booking sheet and queue into demand samples: one per region × GPU model × capacity pool
/// (<c>leasing</c>, <c>depin</c>, <c>incubation</c>; capacity = the pool's guaranteed share) and one for the whole
/// node pool (<see cref="AllPools"/>; capacity = every GPU of the model), which is the series the autoscaler
/// forecasts, since a node pool serves every capacity pool. Pure: the moment comes in as <c>at</c>.
/// </summary>
public static class DemandMeter
{
    /// <summary>The capacity-pool name of the series that sums every pool of a GPU model.</summary>
    public const string AllPools = "all";

    /// <summary>
    /// The interval whose peaks are kept for the long history, stamped at the interval's end (the forecaster's
    /// default step: it buckets to 5-minute peaks anyway).
    /// </summary>
    public static readonly TimeSpan PeakInterval = TimeSpan.FromMinutes(5);

    /// <summary>The capacity pools sampled separately, by the names bookings carry.</summary>
    public static ImmutableArray<string> CapacityPools { get; } =
        [.. Enum.GetValues<CapacityPool>().Select(p => p.ToString().ToLowerInvariant())];

    /// <summary>
    /// Samples at <paramref name="at"/>: requested = GPUs booked + GPUs queued, allocated = GPUs booked, capacity,
    /// queue length, and the 95th percentile of how long the queued requests have waited so far (0 when none wait).
    /// Every model a region has nodes of gets its rows, idle or not; queued demand for a model a region lacks too.
    /// </summary>
    public static IReadOnlyList<DemandSample> Measure(
        DateTimeOffset at, IEnumerable<NodeState> nodes, IEnumerable<QueuedDemand> queued, PoolQuotas? quotas = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(queued);
        quotas ??= PoolQuotas.Default;
        var nodeList = nodes.ToList();
        var queue = queued.ToList();
        var series = nodeList.Select(n => (n.Region, Model: n.Model))
            .Concat(queue.Select(q => (q.Region, Model: q.GpuModel)))
            .Distinct()
            .OrderBy(s => s.Region, StringComparer.Ordinal)
            .ThenBy(s => s.Model, StringComparer.Ordinal);

        var samples = new List<DemandSample>();
        foreach (var (region, model) in series)
        {
            var onModel = nodeList.Where(n => Same(n.Region, region) && Same(n.Model, model)).ToList();
            var waiting = queue.Where(q => Same(q.Region, region) && Same(q.GpuModel, model)).ToList();
            var capacityMilli = onModel.Sum(n => (long)n.GpuCount * GpuDemand.MilliPerGpu);
            var guaranteed = quotas.GuaranteedGpuMilli(capacityMilli);
            var allocations = onModel.SelectMany(n => n.Allocations.Values).ToList();

            foreach (var pool in CapacityPools)
            {
                var booked = allocations.Where(a => Same(a.Pool, pool)).Sum(a => a.TotalGpuMilli) / (double)GpuDemand.MilliPerGpu;
                var inQueue = waiting.Where(q => Same(q.Pool, pool)).ToList();
                var capacity = guaranteed[Enum.Parse<CapacityPool>(pool, ignoreCase: true)] / (double)GpuDemand.MilliPerGpu;
                samples.Add(Sample(at, region, model, pool, booked, capacity, inQueue));
            }

            var allBooked = allocations.Sum(a => a.TotalGpuMilli) / (double)GpuDemand.MilliPerGpu;
            samples.Add(Sample(at, region, model, AllPools, allBooked, capacityMilli / (double)GpuDemand.MilliPerGpu, waiting));
        }

        return samples;
    }

    /// <summary>
    /// GPUs of the queued requests that fit on none of <paramref name="nodes"/> as they are now (however many GPUs
    /// are free in total): the planner gives such requests nodes of their own.
    /// </summary>
    public static double UnplaceableGpus(IEnumerable<NodeState> nodes, IEnumerable<QueuedDemand> queued)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(queued);
        var nodeList = nodes.ToList();
        return queued.Where(q => !nodeList.Any(n => n.Fits(q.Request))).Sum(q => q.Gpus);
    }

    /// <summary>Nearest-rank percentile of <paramref name="values"/> (0 for none).</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double quantile)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    private static DemandSample Sample(
        DateTimeOffset at, string region, string model, string pool, double booked, double capacity, IReadOnlyList<QueuedDemand> queued) =>
        new(
            at,
            region,
            model,
            pool,
            RequestedGpus: booked + queued.Sum(q => q.Gpus),
            AllocatedGpus: booked,
            CapacityGpus: capacity,
            QueueLength: queued.Count,
            P95WaitSeconds: Percentile([.. queued.Select(q => Math.Max(0, (at - q.QueuedSince).TotalSeconds))], 0.95));

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
