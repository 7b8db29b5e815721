namespace Aisto.Domain.Scheduling;

/// <summary>
/// Many placements against one snapshot that the caller books itself (an admission walk): it asks where a request
/// would go, decides, and, when it books, tells the session what the node holds now. Not thread-safe; one per walk.
/// </summary>
public interface IPlacementSession
{
    /// <summary>Where the request would go now, leaving out the <paramref name="hidden"/> nodes; nothing is booked.</summary>
    PlacementDecision? Place(PlacementRequest request, IReadOnlyCollection<NodeKey> hidden);

    /// <summary>Node <paramref name="nodeIndex"/> of <paramref name="region"/> now holds what <paramref name="node"/> holds.</summary>
    void Update(string region, int nodeIndex, NodeState node);
}

/// <summary>A node by region and id.</summary>
public readonly record struct NodeKey(string Region, string NodeId);

/// <summary>
/// The session of a policy that can only place against a whole snapshot: every placement is the policy's
/// <see cref="IPlacementPolicy.Place"/> on the current nodes, without the hidden ones.
/// </summary>
public sealed class SnapshotPlacementSession(IPlacementPolicy policy, IReadOnlyList<RegionSnapshot> regions) : IPlacementSession
{
    private readonly List<RegionSnapshot> _regions = [.. regions];

    public PlacementDecision? Place(PlacementRequest request, IReadOnlyCollection<NodeKey> hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (hidden.Count == 0)
        {
            return policy.Place(_regions, request);
        }

        return policy.Place(
            [.. _regions.Select(region => hidden.Any(h => h.Region == region.Region.Id)
                ? region with { Nodes = [.. region.Nodes.Where(n => !hidden.Contains(new NodeKey(n.Region, n.NodeId)))] }
                : region)],
            request);
    }

    public void Update(string region, int nodeIndex, NodeState node)
    {
        var index = _regions.FindIndex(r => r.Region.Id == region);
        _regions[index] = _regions[index] with { Nodes = _regions[index].Nodes.SetItem(nodeIndex, node) };
    }
}
