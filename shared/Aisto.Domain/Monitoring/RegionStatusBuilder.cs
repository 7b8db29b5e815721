using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;

namespace Aisto.Domain.Monitoring;

/// <summary>
/// Builds each region's status from one inventory snapshot, the queue and the recent waits. Pure: the caller
/// passes <c>asOf</c> and the samples of the window it wants (the API uses the last hour).
/// </summary>
public static class RegionStatusBuilder
{
    public static IReadOnlyList<RegionStatus> Build(
        IReadOnlyList<RegionSnapshot> regions,
        IReadOnlyList<QueuedDemand> queued,
        IReadOnlyList<WaitSample> waits,
        DateTimeOffset asOf,
        PoolQuotas? quotas = null)
    {
        ArgumentNullException.ThrowIfNull(regions);
        quotas ??= PoolQuotas.Default;
        return [.. regions.Select(r => Region(r, queued, waits, asOf, quotas))];
    }

    private static RegionStatus Region(
        RegionSnapshot region, IReadOnlyList<QueuedDemand> queued, IReadOnlyList<WaitSample> waits, DateTimeOffset asOf, PoolQuotas quotas)
    {
        var id = region.Region.Id;
        var models = region.Nodes
            .GroupBy(n => n.Model, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                // Leases pinned elsewhere do not wait here; unpinned ones are demand on every region that has the model.
                var modelQueue = queued
                    .Where(q => Same(q.GpuModel, g.Key) && (q.Region is null || Same(q.Region, id)))
                    .ToList();
                var modelWaits = waits.Where(w => Same(w.Region, id) && Same(w.GpuModel, g.Key)).ToList();
                return Model(g.Key, [.. g], modelQueue, modelWaits, asOf, quotas);
            });
        return new RegionStatus(region.Region, region.IsUp, region.Nodes.Length, [.. models]);
    }

    private static GpuModelStatus Model(
        string model, IReadOnlyList<NodeState> nodes, IReadOnlyList<QueuedDemand> queue, IReadOnlyList<WaitSample> waits,
        DateTimeOffset asOf, PoolQuotas quotas)
    {
        var totalMilli = nodes.Sum(n => (long)n.GpuCount * GpuDemand.MilliPerGpu);
        var usedMilli = nodes.Sum(n => (long)n.GpuMilliUsed.Sum());
        var heldByPool = nodes.SelectMany(n => n.Allocations.Values)
            .GroupBy(a => a.Pool.ToLowerInvariant(), StringComparer.Ordinal)
            .ToDictionary(p => p.Key, p => p.Sum(a => (long)a.TotalGpuMilli), StringComparer.Ordinal);
        var guaranteed = quotas.GuaranteedGpuMilli(totalMilli);
        var pools = Enum.GetValues<CapacityPool>().Select(pool =>
        {
            var name = pool.ToString().ToLowerInvariant();
            var quota = guaranteed[pool];
            var held = heldByPool.GetValueOrDefault(name);
            return new PoolStatus(
                name,
                Gpus(quota),
                Gpus(held),
                Gpus(Math.Max(0, held - quota)),
                Gpus(Math.Max(0, quota - held)),
                quota == 0 ? 0m : Math.Round((decimal)held / quota, 4),
                queue.Count(q => Same(q.Pool ?? "leasing", name)),
                Percentiles.Of(waits.Where(w => Same(w.Pool, name)).Select(w => w.Wait)));
        });
        var total = (int)(totalMilli / GpuDemand.MilliPerGpu);
        return new GpuModelStatus(
            model,
            nodes.Count,
            total,
            Gpus(usedMilli),
            Gpus(totalMilli - usedMilli),
            totalMilli == 0 ? 0m : Math.Round((decimal)usedMilli / totalMilli, 4),
            queue.Count,
            queue.Count == 0 ? null : Math.Round(queue.Max(q => (asOf - q.RequestedAt).TotalSeconds), 3),
            Percentiles.Of(waits.Select(w => w.Wait)),
            [.. pools]);
    }

    private static decimal Gpus(long milli) => milli / (decimal)GpuDemand.MilliPerGpu;

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
