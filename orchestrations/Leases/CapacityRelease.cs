using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Regions;

namespace Aisto.Orchestrations.Leases;

/// <summary>Which booking to give back: the lease and the node row holding it.</summary>
public sealed record ReleaseCapacityInput(string LeaseId, string Region, string NodeId);

/// <summary>
/// Gives a booking back, or moves when it is expected to end, on its node row with an ETag-guarded write, retried on
/// conflicts.
/// </summary>
public sealed class CapacityRelease(IInventoryStore inventory, InventoryWriteGate gate)
{
    /// <summary>True when the booking was there and is now gone; false when it was already gone.</summary>
    public Task<bool> ReleaseAsync(ReleaseCapacityInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return gate.RunAsync(() => EditOnceAsync(input, node => node.Release(input.LeaseId), cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Records on the booking that the lease now ends at <paramref name="expectedEnd"/> (an extension or a preemption
    /// notice), so wait estimates and backfill see it. False when the lease holds nothing there, or already showed it.
    /// </summary>
    public Task<bool> MoveExpectedEndAsync(ReleaseCapacityInput input, DateTimeOffset expectedEnd, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return gate.RunAsync(
            () => EditOnceAsync(
                input,
                node => node.Allocations[input.LeaseId] is { Terms: { } terms } a && terms.ExpectedEnd != expectedEnd
                    ? node.WithAllocations(node.Allocations.SetItem(input.LeaseId, a with { Terms = terms with { ExpectedEnd = expectedEnd } }))
                    : null,
                cancellationToken),
            cancellationToken);
    }

    /// <summary>Applies <paramref name="edit"/> (null: nothing to change) to the node row holding the booking.</summary>
    private async Task<bool> EditOnceAsync(ReleaseCapacityInput input, Func<NodeState, NodeState?> edit, CancellationToken cancellationToken)
    {
        // First from this process's copy of the nodes (usually current: it holds this process's own bookings), so an
        // edit costs one write, not a read and a write; a stale copy fails the ETag and the loop below reads.
        var seen = (await inventory.ViewNodesAsync(cancellationToken))
            .FirstOrDefault(n => n.Node.Region == input.Region && n.Node.NodeId == input.NodeId);
        if (seen is not null && seen.Node.Allocations.ContainsKey(input.LeaseId) &&
            edit(seen.Node) is { } edited && await inventory.TryReplaceAsync(seen, edited, cancellationToken))
        {
            return true;
        }

        while (true)
        {
            var current = await inventory.GetNodeAsync(input.Region, input.NodeId, cancellationToken);
            if (current is null || !current.Node.Allocations.ContainsKey(input.LeaseId) || edit(current.Node) is not { } changed)
            {
                return false;
            }

            if (await inventory.TryReplaceAsync(current, changed, cancellationToken))
            {
                return true;
            }
        }
    }
}
