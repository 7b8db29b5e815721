using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling.Pools;

namespace Aisto.Domain.Scheduling.Quoting;

/// <summary>How a wait is estimated once a request does not fit now.</summary>
public enum WaitModel
{
    /// <summary>
    /// Replays the runtime's own admission on the region's nodes with what is known now: holders end at their
    /// expected end; then, oldest first, every queued request that fits a node is booked (the fullest node it fits)
    /// and ends after its requested duration — until the request itself is booked. Future arrivals and early
    /// releases are what it cannot see.
    /// </summary>
    NodeReplay,

    /// <summary>
    /// First come, first served on the model's GPUs as one pool: holders free their GPUs at their expected end;
    /// each request ahead starts when enough are free and frees them again after its own duration. Handles a queue
    /// deeper than the region.
    /// </summary>
    FifoDrain,

    /// <summary>
    /// <see cref="WaitEstimator"/>: holders' releases must cover everything ahead at once (work ahead keeps its GPUs),
    /// so it is pessimistic and has no answer once the queue ahead outgrows what running work frees.
    /// </summary>
    ReleaseCover,
}

/// <summary>
/// Estimates how long a request waits in one region before its GPU model there has room for it. A request that fits
/// on a node now waits nothing (a new lease is booked at once). Otherwise the leases queued ahead of it for the same
/// model (pinned to the region or unpinned) go first, on the region's holders of that model in order of expected end
/// (<see cref="WaitModel"/>); at least one holder must end, since the request does not fit now.
/// </summary>
public static class WaitForecaster
{
    /// <summary>Wait of a request that is not queued yet (it would join the end of the queue).</summary>
    public static TimeSpan? ForNewRequest(
        CapacityOutlook outlook, RegionSnapshot region, LeaseRequest request, WaitModel model = WaitModel.NodeReplay) =>
        Estimate(outlook, region, request, queuedId: null, model);

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
            if (Estimate(outlook, region, request, leaseId, WaitModel.NodeReplay) is { } wait && (best is null || wait < best))
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

    private static TimeSpan? Estimate(CapacityOutlook outlook, RegionSnapshot region, LeaseRequest request, string? queuedId, WaitModel model)
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
                // Its recorded end (an Active lease's expiry), else what its booking expected, else a default.
                var end = outlook.ExpectedEnds.TryGetValue(held.HolderId, out var known) ? known
                    : held.Terms?.ExpectedEnd is { } expected && expected != DateTimeOffset.MaxValue ? expected
                    : outlook.AsOf + outlook.UnknownHolderEnd;
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
        var wait = model switch
        {
            WaitModel.NodeReplay => Replay(nodes, running, waiting, resources, outlook.AsOf),
            WaitModel.FifoDrain => Drain(waiting, running, free, outlook.AsOf),
            _ => WaitEstimator.Estimate(waiting, running, new ResourceAmount(free, 0, 0), outlook.AsOf)[^1].EstimatedWait,
        };
        var firstRelease = running.Min(r => r.ExpectedEnd) - outlook.AsOf;
        return wait is { } w && w < firstRelease ? firstRelease : wait;
    }

    /// <summary>
    /// First come, first served on one pool of GPU thousandths: returns when the last request starts. Starts never go
    /// back in time, so nothing overtakes a request ahead of it. Null when the last request is larger than the pool.
    /// </summary>
    private static TimeSpan? Drain(IReadOnlyList<QueuedRequest> waiting, IReadOnlyList<RunningWork> running, long free, DateTimeOffset asOf)
    {
        var capacity = free + running.Sum(r => r.Held.GpuMilli);
        var releases = new PriorityQueue<long, DateTimeOffset>(running.Select(r => (r.Held.GpuMilli, r.ExpectedEnd)));
        var at = asOf;
        foreach (var request in waiting)
        {
            var demand = request.Demand.GpuMilli;
            if (demand > capacity)
            {
                return null;
            }

            while (free < demand && releases.TryDequeue(out var milli, out var end))
            {
                free += milli;
                at = end > at ? end : at;
            }

            free -= demand;
            releases.Enqueue(demand, at + request.Duration);
        }

        return at - asOf;
    }

    /// <summary>
    /// Node-level replay of admission: at each expected end, the queue (oldest first, the request last) books what
    /// fits. Queued requests ahead are assumed to ask for the default CPU and memory for their GPUs. Null when the
    /// request is still not booked after every holder and every request ahead has ended.
    /// </summary>
    private static TimeSpan? Replay(
        List<NodeState> nodes, IReadOnlyList<RunningWork> running, IReadOnlyList<QueuedRequest> waiting, ResourceRequest own, DateTimeOffset asOf)
    {
        var model = nodes[0].Model;
        var work = nodes.ToArray();
        var holderNode = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var n = 0; n < work.Length; n++)
        {
            foreach (var holder in work[n].Allocations.Keys)
            {
                holderNode[holder] = n;
            }
        }

        var ends = new PriorityQueue<string, DateTimeOffset>(running.Select(r => (r.Id, r.ExpectedEnd)));
        var queue = waiting.Select((q, i) => (q.Id, Resources: i == waiting.Count - 1 ? own : DefaultResources(model, q.Demand.GpuMilli), q.Duration))
            .Select(q => (q.Id, q.Resources, q.Duration, Shape: (string.Join('\n', q.Resources.AllowedModels), q.Resources.Gpu, q.Resources.CpuMilli, q.Resources.MemoryMiB)))
            .ToList();
        var self = queue[^1].Id;
        var at = asOf;

        // Within one pass nodes only fill up, so a shape that fits nowhere fits nowhere for the rest of the pass: a
        // long queue of like requests costs one look at the nodes per shape and pass, not one per request.
        // Once every shape in the queue found no room, the rest of the pass can admit nothing: it ends there.
        var noRoom = new HashSet<(string Models, GpuDemand Gpu, int CpuMilli, long MemoryMiB)>();
        var shapes = queue.Select(q => q.Shape).ToHashSet();
        while (true)
        {
            noRoom.Clear();
            for (var i = 0; i < queue.Count && noRoom.Count < shapes.Count; i++)
            {
                var (id, resources, duration, shape) = queue[i];
                if (id != self && noRoom.Contains(shape))
                {
                    continue;
                }

                var best = -1;
                for (var n = 0; n < work.Length; n++)
                {
                    if (work[n].Fits(resources) && (best < 0 || work[n].FreeGpuMilli < work[best].FreeGpuMilli))
                    {
                        best = n;
                    }
                }

                if (best < 0)
                {
                    noRoom.Add(shape);
                    continue;
                }

                if (id == self)
                {
                    return at - asOf;
                }

                work[best] = work[best].TryAllocate(id, resources, "leasing")!.Value.Node;
                holderNode[id] = best;
                ends.Enqueue(id, at + duration);
                queue.RemoveAt(i--);
            }

            if (!ends.TryDequeue(out var ended, out var end))
            {
                return null;
            }

            at = end > at ? end : at;
            if (holderNode.Remove(ended, out var node))
            {
                work[node] = work[node].Release(ended);
            }
        }
    }

    private static ResourceRequest DefaultResources(string model, long gpuMilli) => gpuMilli >= GpuDemand.MilliPerGpu
        ? ResourceRequest.For(model, GpuDemand.Whole((int)(gpuMilli / GpuDemand.MilliPerGpu)), 8 * (int)(gpuMilli / GpuDemand.MilliPerGpu), 64 * (int)(gpuMilli / GpuDemand.MilliPerGpu))
        : ResourceRequest.For(model, GpuDemand.Fraction((int)gpuMilli), 2, 16);

    private static QueuedRequest Queued(string id, int gpuMilli, TimeSpan duration, DateTimeOffset asOf) =>
        new(id, "", CapacityPool.Leasing, LeaseClass.OnDemand, new ResourceAmount(gpuMilli, 0, 0), asOf, duration);
}
