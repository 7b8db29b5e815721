using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;

namespace Aisto.Orchestrations.Regions;

/// <summary>
/// Groups stored node rows into the per-region snapshots placement works on. Cordoned (draining) nodes are left
/// out: nothing new may be placed on them, and the autoscaler is about to give them back.
/// </summary>
public static class InventorySnapshots
{
    /// <param name="isUp">Whether a region is up (down regions are kept, marked down, so placement skips them).</param>
    public static IReadOnlyList<RegionSnapshot> ToRegions(
        IEnumerable<NodeVersion> nodes, IReadOnlyList<RegionInfo> regions, Func<string, bool>? isUp = null) =>
        regions
            .Select(r => new RegionSnapshot(
                r,
                [.. nodes.Where(n => !n.Cordoned).Select(n => n.Node).Where(n => n.Region == r.Id).OrderBy(n => n.NodeId, StringComparer.Ordinal)],
                isUp?.Invoke(r.Id) ?? true))
            .ToList();
}
