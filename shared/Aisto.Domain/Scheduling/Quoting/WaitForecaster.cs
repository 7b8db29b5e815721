using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling.Pools;

namespace Aisto.Domain.Scheduling.Quoting;

/// <summary>
/// Estimates how long a request waits in one region before its GPU model there has room for it. A request that fits
/// on a node now waits nothing (a new lease is booked at once). Otherwise the leases queued ahead of it for the same
/// model (pinned to the region or unpinned) go first, and <see cref="WaitEstimator"/> walks the region's holders of
/// that model in order of expected end until the GPUs freed cover everything ahead plus the request itself; at least
/// one holder must end, since the request does not fit now.
/// </summary>
public static class WaitForecaster
{
    /// <summary>Wait of a request that is not queued yet (it would join the end of the queue).</summary>
    public static TimeSpan? ForNewRequest(CapacityOutlook outlook, RegionSnapshot region, LeaseRequest request) =>
        Estimate(outlook, region, request, queuedId: null);

    /// <summary>
    /// Wait of a lease already in the queue: the shortest over the regions it may use (it is booked in the first
    /// that has room). Null when no allowed region can ever hold it.
    /// </summary>
    public static TimeSpan? ForQueuedLease(CapacityOutlook outlook, string leaseId, LeaseRequest request)
    {
        ArgumentNullException.ThrowIfNull(outlook);
        ArgumentNullException.ThrowIfNull(request);
        TimeSpan? best = null;
        foreach (var (region, _) in RegionPreference.Order(outlook.Regions, request.ToPlacement(leaseId)))
        {
            if (Estimate(outlook, region, request, leaseId) is { } wait && (best is null || wait < best))
            {
                best = wait;
            }
        }

        return best;
    }

    /// <summary>Whether some node of the region could hold the request if it were empty.</summary>
    public static bool CouldEverHold(RegionSnapshot region, LeaseRequest request)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(request);
        var resources = request.Resources;
        return region.Nodes.Any(n =>
            resources.AllowsModel(n.Model) &&
            new NodeState(n.NodeId, n.Region, n.Model, n.GpuCount, n.CpuMilli, n.MemoryMiB).Fits(resources));
    }

    private static TimeSpan? Estimate(CapacityOutlook outlook, RegionSnapshot region, LeaseRequest request, string? queuedId)
    {
        ArgumentNullException.ThrowIfNull(outlook);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(request);

        // 1. The nodes of the model: fits now → no wait; no node could ever hold it → no estimate.
        var resources = request.Resources;
        var nodes = region.Nodes.Where(n => resources.AllowsModel(n.Model)).ToList();
        if (nodes.Any(n => n.Fits(resources)))
        {
            return TimeSpan.Zero;
        }

        if (!CouldEverHold(region, request))
        {
            return null;
        }

        // 2. What the model's nodes hold and when each holder is expected to end.
        var running = new List<RunningWork>();
        long free = 0;
        foreach (var node in nodes)
        {
            free += node.FreeGpuMilli;
            foreach (var held in node.Allocations.Values)
            {
                var end = outlook.ExpectedEnds.TryGetValue(held.HolderId, out var known) ? known : outlook.AsOf + outlook.UnknownHolderEnd;
                running.Add(new RunningWork(
                    held.HolderId, "", CapacityPool.Leasing, LeaseClass.OnDemand, new ResourceAmount(held.TotalGpuMilli, 0, 0),
                    outlook.AsOf, end < outlook.AsOf ? outlook.AsOf : end, Borrowed: false));
            }
        }

        if (running.Count == 0)
        {
            return null;
        }

        // 3. The queue ahead of it for this model in this region, then the request itself.
        var waiting = new List<QueuedRequest>();
        foreach (var queued in outlook.Queue)
        {
            if (queued.Id == queuedId)
            {
                break;
            }

            if (resources.AllowsModel(queued.GpuModel) &&
                (queued.Region is null || string.Equals(queued.Region, region.Region.Id, StringComparison.OrdinalIgnoreCase)))
            {
                waiting.Add(Queued(queued.Id, queued.GpuMilli, queued.Duration, outlook.AsOf));
            }
        }

        waiting.Add(Queued(queuedId ?? "quote", request.Gpu.TotalMilli, request.Duration, outlook.AsOf));

        // 4. Walk the releases; it does not fit now, so at least the first holder must end.
        var wait = WaitEstimator.Estimate(waiting, running, new ResourceAmount(free, 0, 0), outlook.AsOf)[^1].EstimatedWait;
        var firstRelease = running.Min(r => r.ExpectedEnd) - outlook.AsOf;
        return wait is { } w && w < firstRelease ? firstRelease : wait;
    }

    private static QueuedRequest Queued(string id, int gpuMilli, TimeSpan duration, DateTimeOffset asOf) =>
        new(id, "", CapacityPool.Leasing, LeaseClass.OnDemand, new ResourceAmount(gpuMilli, 0, 0), asOf, duration);
}
