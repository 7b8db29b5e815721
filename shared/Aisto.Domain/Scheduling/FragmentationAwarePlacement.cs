using Aisto.Domain.Scheduling.Packing;

namespace Aisto.Domain.Scheduling;

/// <summary>
/// The runtime's placement: the nearest allowed region (<see cref="RegionPreference"/>) that has room, and in it
/// the node a packing policy chooses (aisto by default: fragmentation-aware against the target workload).
/// Each call builds the region's packing view from the snapshot, so the policy is stateless between calls.
/// </summary>
public sealed class FragmentationAwarePlacement : IPlacementPolicy
{
    private readonly TargetWorkload _target;
    private readonly string _policy;
    private readonly int _seed;

    /// <param name="target">The request mix to pack for; <see cref="TargetWorkload.Default"/> when null.</param>
    /// <param name="policy">A name from <see cref="PackingPolicies.Names"/>.</param>
    /// <param name="seed">Seed for random-fit (the only policy that uses randomness).</param>
    public FragmentationAwarePlacement(TargetWorkload? target = null, string policy = PackingPolicies.Default, int seed = 0)
    {
        if (!PackingPolicies.Names.Contains(policy, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Unknown placement policy '{policy}'.", nameof(policy));
        }

        _target = target ?? TargetWorkload.Default;
        _policy = policy;
        _seed = seed;
    }

    /// <summary>A cycle that places many requests against one snapshot, each seeing what the previous ones took.</summary>
    public PlacementCycle StartCycle(IReadOnlyList<RegionSnapshot> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        return new PlacementCycle(regions, this);
    }

    /// <summary>
    /// A walk's session: each region's packing view is built once and follows what the walk books
    /// (<see cref="IPlacementSession.Update"/>), so a placement costs an index lookup, not a rebuild of the region.
    /// Hidden nodes are marked full for the one placement. Decisions are those of <see cref="Place"/> on the same nodes
    /// (ties go to the lowest-numbered node either way). Random-fit draws from a fresh generator per placement, so it
    /// places from scratch every time.
    /// </summary>
    public IPlacementSession StartSession(IReadOnlyList<RegionSnapshot> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        return string.Equals(_policy, "random-fit", StringComparison.OrdinalIgnoreCase)
            ? new SnapshotPlacementSession(this, regions)
            : new PackingPlacementSession(regions, this);
    }

    public PlacementDecision? Place(IReadOnlyList<RegionSnapshot> regions, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (region, rtt) in RegionPreference.Order(regions, request))
        {
            var nodes = region.Nodes;
            if (!nodes.Any(n => n.Fits(request.Resources)))
            {
                continue;
            }

            var (cluster, policy) = ViewOf(nodes);
            if (policy.Choose(PackingRequest.From(request.Resources, cluster.Catalog)) is { } choice)
            {
                return new PlacementDecision(region.Region.Id, nodes[choice.Node].NodeId, rtt);
            }
        }

        return null;
    }

    /// <summary>The packing view of a region's nodes (node i of the list is node i of the cluster) and its policy.</summary>
    internal (PackingCluster Cluster, IPackingPolicy Policy) ViewOf(IReadOnlyList<NodeState> nodes)
    {
        var cluster = PackingCluster.From(nodes);
        return (cluster, PackingPolicies.Create(_policy, cluster, _target.Compile(cluster.Catalog), _seed, tiesToLowestNode: true));
    }
}
