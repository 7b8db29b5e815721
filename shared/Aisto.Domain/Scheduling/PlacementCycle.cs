using Aisto.Domain.Scheduling.Packing;

namespace Aisto.Domain.Scheduling;

/// <summary>
/// Many placements against one snapshot (an admission cycle): each region's packing view is built once, and every
/// decision is committed to it, so the next request sees what the previous ones took. Decisions cost microseconds
/// instead of a rebuild per call. Not thread-safe; one cycle per scheduling pass.
/// </summary>
public sealed class PlacementCycle
{
    private readonly IReadOnlyList<RegionSnapshot> _regions;
    private readonly FragmentationAwarePlacement _placement;
    private readonly Dictionary<string, (PackingCluster Cluster, IPackingPolicy Policy)> _views = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (PackingCluster Cluster, PackingAllocation Allocation)> _held = new(StringComparer.Ordinal);

    internal PlacementCycle(IReadOnlyList<RegionSnapshot> regions, FragmentationAwarePlacement placement)
    {
        _regions = regions;
        _placement = placement;
    }

    /// <summary>Places and books the request (nearest allowed region with room first); null when nothing fits.</summary>
    public PlacementDecision? Place(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_held.ContainsKey(request.HolderId))
        {
            throw new InvalidOperationException($"'{request.HolderId}' is already placed in this cycle.");
        }

        foreach (var (region, rtt) in RegionPreference.Order(_regions, request))
        {
            var (cluster, policy) = ViewOf(region);
            var packing = PackingRequest.From(request.Resources, cluster.Catalog);
            if (policy.Choose(packing) is { } choice && cluster.Allocate(choice, packing) is { } allocation)
            {
                _held.Add(request.HolderId, (cluster, allocation));
                return new PlacementDecision(region.Region.Id, region.Nodes[choice.Node].NodeId, rtt);
            }
        }

        return null;
    }

    /// <summary>Gives back what a request placed in this cycle took; unknown holders are ignored.</summary>
    public void Release(string holderId)
    {
        if (_held.Remove(holderId, out var held))
        {
            held.Cluster.Release(held.Allocation);
        }
    }

    private (PackingCluster Cluster, IPackingPolicy Policy) ViewOf(RegionSnapshot region)
    {
        if (!_views.TryGetValue(region.Region.Id, out var view))
        {
            view = _placement.ViewOf(region.Nodes);
            _views.Add(region.Region.Id, view);
        }

        return view;
    }
}
