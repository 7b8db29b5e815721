using Aisto.Domain.Leases;

namespace Aisto.Domain.Scheduling.Pools;

/// <summary>Where a pool takes its guarantee back: the node and the bookings to preempt there.</summary>
public sealed record NodeReclaim(string Region, string NodeId, IReadOnlyList<string> Victims);

/// <summary>
/// Finds, for a request its pool is owed, one node where preempting borrowed work of other pools (the fewest GPUs,
/// spot before on-demand, never reserved — <see cref="ReclaimPlanner"/>) makes the request fit. Bookings already
/// picked for this request count as freed, so asking again returns the same victims and never takes more.
/// </summary>
public static class NodeReclaimPlanner
{
    public static NodeReclaim? Plan(
        IReadOnlyList<NodeState> nodes, PlacementRequest request, LeaseClass leaseClass, PoolQuotas quotas, IEnumerable<string> regions)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(request);
        if (leaseClass == LeaseClass.Spot)
        {
            return null; // Spot leases wait for free capacity; they never preempt.
        }

        return PlanForOwner(nodes, request, quotas, regions);
    }

    /// <summary>
    /// The same choice for work its pool schedules itself, whatever its own class: the DePIN dispatcher takes the
    /// DePIN pool's guarantee back for a queued task (tasks are booked as spot so that they are the first victims
    /// elsewhere, yet the pool they belong to is owed its share). Only borrowed, non-reserved work of other pools is
    /// taken — never the owner's own — spot before on-demand, newest first, and no more than the request needs.
    /// </summary>
    public static NodeReclaim? PlanForOwner(
        IReadOnlyList<NodeState> nodes, PlacementRequest request, PoolQuotas quotas, IEnumerable<string> regions)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(regions);
        var owner = RegionPools.PoolOf(request.Pool);
        NodeReclaim? best = null;
        long bestTaken = long.MaxValue;
        foreach (var region in regions.Where(r => request.PinnedRegion is null || r == request.PinnedRegion))
        {
            var pools = RegionPools.Of(region, nodes, quotas);
            if (!pools.IsOwed(owner, request.Resources.Gpu.TotalMilli))
            {
                continue;
            }

            foreach (var node in nodes.Where(n => n.Region == region && request.Resources.AllowsModel(n.Model)))
            {
                var plan = PlanOnNode(node, pools, owner, request);
                if (plan is { } p && p.Taken < bestTaken)
                {
                    best = new NodeReclaim(region, node.NodeId, p.Victims);
                    bestTaken = p.Taken;
                }
            }
        }

        return best;
    }

    private static (IReadOnlyList<string> Victims, long Taken)? PlanOnNode(NodeState node, RegionPools pools, CapacityPool owner, PlacementRequest request)
    {
        // Bookings already being reclaimed for this request are as good as free.
        var already = node.Allocations.Values.Where(a => a.Terms?.ReclaimedFor == request.HolderId).Select(a => a.HolderId).ToList();
        var freed = already.Aggregate(node, (n, id) => n.Release(id));
        if (freed.Fits(request.Resources))
        {
            return already.Count == 0 ? null : (already, 0);
        }

        var candidates = freed.Allocations.Values
            .Where(a => a.Terms?.ReclaimedFor is null && pools.Work.TryGetValue(a.HolderId, out var w) && ReclaimPlanner.IsReclaimable(w, owner))
            .Select(a => pools.Work[a.HolderId])
            .ToList();
        var free = new ResourceAmount(freed.FreeGpuMilli, freed.CpuFreeMilli, freed.MemoryFreeMiB);
        var needed = new ResourceAmount(request.Resources.Gpu.TotalMilli, request.Resources.CpuMilli, request.Resources.MemoryMiB);
        var victims = ReclaimPlanner.Plan(candidates, owner, needed, free);
        if (victims is null || victims.Count == 0)
        {
            return null;
        }

        // Sums fit; the request's shape (whole idle GPUs, one shared GPU) must fit too.
        var after = victims.Aggregate(freed, (n, v) => n.Release(v.Id));
        if (!after.Fits(request.Resources))
        {
            return null;
        }

        return ([.. already, .. victims.Select(v => v.Id)], victims.Sum(v => v.Held.GpuMilli));
    }
}
