namespace Aisto.Domain.Scheduling;

/// <summary>
/// The foundation's placement: the nearest allowed region that has room, and in it the node that the request
/// leaves with the least free GPU capacity (best fit), ties broken by node id so the choice is deterministic.
/// </summary>
public sealed class NearestBestFitPlacement : IPlacementPolicy
{
    public PlacementDecision? Place(IReadOnlyList<RegionSnapshot> regions, PlacementRequest request)
    {
        foreach (var (region, rtt) in RegionPreference.Order(regions, request))
        {
            NodeState? best = null;
            foreach (var node in region.Nodes)
            {
                if (!node.Fits(request.Resources))
                {
                    continue;
                }

                if (best is null ||
                    node.FreeGpuMilli < best.FreeGpuMilli ||
                    (node.FreeGpuMilli == best.FreeGpuMilli && string.CompareOrdinal(node.NodeId, best.NodeId) < 0))
                {
                    best = node;
                }
            }

            if (best is not null)
            {
                return new PlacementDecision(region.Region.Id, best.NodeId, rtt);
            }
        }

        return null;
    }
}
