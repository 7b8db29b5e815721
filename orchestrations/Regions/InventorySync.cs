using Aisto.Domain.Scheduling;
using Microsoft.Extensions.Logging;

namespace Aisto.Orchestrations.Regions;

/// <summary>
/// Keeps the booking sheet in step with what the regions report: a node that became ready gets its row (and so
/// takes bookings); the row of a node a region no longer has is deleted once it holds nothing (ETag-guarded, so a
/// booking that lands first wins). Runs at start-up and with every demand recording.
/// </summary>
public sealed class InventorySync(IRegionDirectory regions, IInventoryStore inventory, ILogger<InventorySync> logger)
{
    /// <summary>Syncs every region that answers; returns the nodes added and removed.</summary>
    public async Task<(int Added, int Removed)> SyncAsync(CancellationToken cancellationToken)
    {
        var rows = await inventory.ListNodesAsync(cancellationToken);
        var (added, removed) = (0, 0);
        foreach (var info in regions.Regions)
        {
            IReadOnlyList<RegionNode> reported;
            try
            {
                reported = await regions.Get(info.Id).ListNodesAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Region {Region} did not list its nodes; its inventory is left as it is", info.Id);
                continue;
            }

            var known = rows.Where(r => string.Equals(r.Node.Region, info.Id, StringComparison.Ordinal))
                .ToDictionary(r => r.Node.NodeId, StringComparer.Ordinal);
            foreach (var node in reported.Where(n => !known.ContainsKey(n.NodeId)))
            {
                await inventory.EnsureNodeAsync(
                    new NodeState(node.NodeId, info.Id, node.GpuModel, node.Gpus, node.CpuMilli, node.MemoryMiB), cancellationToken);
                added++;
            }

            var present = reported.Select(n => n.NodeId).ToHashSet(StringComparer.Ordinal);
            foreach (var row in known.Values.Where(r => !present.Contains(r.Node.NodeId)))
            {
                if (row.Node.Allocations.IsEmpty && await inventory.TryRemoveAsync(row, cancellationToken))
                {
                    removed++;
                }
                else if (!row.Node.Allocations.IsEmpty)
                {
                    logger.LogWarning("Node {Region}/{Node} left its region with {Count} bookings on it", info.Id, row.Node.NodeId, row.Node.Allocations.Count);
                }
            }
        }

        return (added, removed);
    }
}
