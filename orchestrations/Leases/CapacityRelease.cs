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
