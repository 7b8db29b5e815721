using Aisto.Orchestrations.Regions;

namespace Aisto.Orchestrations.Leases;

/// <summary>Which booking to give back: the lease and the node row holding it.</summary>
public sealed record ReleaseCapacityInput(string LeaseId, string Region, string NodeId);

/// <summary>Removes a booking from its node row with an ETag-guarded write, retried on conflicts.</summary>
public sealed class CapacityRelease(IInventoryStore inventory, InventoryWriteGate gate)
{
    /// <summary>True when the booking was there and is now gone; false when it was already gone.</summary>
    public Task<bool> ReleaseAsync(ReleaseCapacityInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return gate.RunAsync(() => ReleaseOnceAsync(input, cancellationToken), cancellationToken);
    }

    private async Task<bool> ReleaseOnceAsync(ReleaseCapacityInput input, CancellationToken cancellationToken)
    {
        // First from this process's copy of the nodes (usually current: it holds this process's own bookings), so a
        // release costs one write, not a read and a write; a stale copy fails the ETag and the loop below reads.
        var seen = (await inventory.ViewNodesAsync(cancellationToken))
            .FirstOrDefault(n => n.Node.Region == input.Region && n.Node.NodeId == input.NodeId);
        if (seen is not null && seen.Node.Allocations.ContainsKey(input.LeaseId) &&
            await inventory.TryReplaceAsync(seen, seen.Node.Release(input.LeaseId), cancellationToken))
        {
            return true;
        }

        while (true)
        {
            var current = await inventory.GetNodeAsync(input.Region, input.NodeId, cancellationToken);
            if (current is null || !current.Node.Allocations.ContainsKey(input.LeaseId))
            {
                return false;
            }

            if (await inventory.TryReplaceAsync(current, current.Node.Release(input.LeaseId), cancellationToken))
            {
                return true;
            }
        }
    }
}
