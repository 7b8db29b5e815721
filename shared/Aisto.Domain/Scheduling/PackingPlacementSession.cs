using Aisto.Domain.Scheduling.Packing;

namespace Aisto.Domain.Scheduling;

/// <summary><see cref="FragmentationAwarePlacement.StartSession"/>: one packing view per region, kept current.</summary>
internal sealed class PackingPlacementSession(IReadOnlyList<RegionSnapshot> regions, FragmentationAwarePlacement placement)
    : IPlacementSession
{
    private readonly List<RegionSnapshot> _regions = [.. regions];
    private readonly Dictionary<string, (PackingCluster Cluster, IPackingPolicy Policy)> _views = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<int> _hiddenHere = [];

    public PlacementDecision? Place(PlacementRequest request, IReadOnlyCollection<NodeKey> hidden)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(hidden);
        foreach (var (region, rtt) in RegionPreference.Order(_regions, request))
        {
            var nodes = region.Nodes;
            _hiddenHere.Clear();
            if (hidden.Count > 0)
            {
                for (var i = 0; i < nodes.Length; i++)
                {
                    if (hidden.Contains(new NodeKey(nodes[i].Region, nodes[i].NodeId)))
                    {
                        _hiddenHere.Add(i);
                    }
                }
            }

            if (!AnyFits(nodes, request.Resources))
            {
                continue;
            }

            var (cluster, policy) = ViewOf(region);
            foreach (var i in _hiddenHere)
            {
                cluster.Fill(i);
            }

            var choice = policy.Choose(PackingRequest.From(request.Resources, cluster.Catalog));
            foreach (var i in _hiddenHere)
            {
                cluster.Refresh(i, nodes[i]);
            }

            if (choice is { } chosen)
            {
                return new PlacementDecision(region.Region.Id, nodes[chosen.Node].NodeId, rtt);
            }
        }

        return null;
    }

    /// <summary>Whether a node that is not hidden has room: most walks on a busy fleet end here, before the packing view.</summary>
    private bool AnyFits(System.Collections.Immutable.ImmutableArray<NodeState> nodes, ResourceRequest resources)
    {
        for (var i = 0; i < nodes.Length; i++)
        {
            if (!_hiddenHere.Contains(i) && nodes[i].Fits(resources))
            {
                return true;
            }
        }

        return false;
    }

    public void Update(string region, int nodeIndex, NodeState node)
    {
        var index = _regions.FindIndex(r => string.Equals(r.Region.Id, region, StringComparison.OrdinalIgnoreCase));
        _regions[index] = _regions[index] with { Nodes = _regions[index].Nodes.SetItem(nodeIndex, node) };
        if (_views.TryGetValue(_regions[index].Region.Id, out var view))
        {
            view.Cluster.Refresh(nodeIndex, node);
        }
    }

    private (PackingCluster Cluster, IPackingPolicy Policy) ViewOf(RegionSnapshot region)
    {
        if (!_views.TryGetValue(region.Region.Id, out var view))
        {
            view = placement.ViewOf(region.Nodes);
            _views.Add(region.Region.Id, view);
        }

        return view;
    }
}
