using Aisto.Domain.Leases;
using Aisto.Domain.Pricing;
using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging;

namespace Aisto.Orchestrations.Leases;

/// <summary>Input of <see cref="ReserveCapacityActivity"/>.</summary>
public sealed record ReserveCapacityInput(string LeaseId, LeaseRequest Request);

/// <summary>Capacity booked for a lease and the hourly price in the region it landed in.</summary>
public sealed record ReserveCapacityResult(ReservedCapacity Reservation, decimal PricePerHour);

/// <summary>
/// Places a lease and books its GPUs on the chosen node row with an ETag-guarded write; a lost race re-reads and
/// places again. Idempotent: a lease that already holds capacity gets the same booking back.
/// </summary>
public sealed class ReserveCapacityActivity(
    IInventoryStore inventory,
    IRegionDirectory regions,
    IPlacementPolicy placement,
    InventoryWriteGate gate,
    PriceBook prices,
    ILogger<ReserveCapacityActivity> logger) : AistoActivity<ReserveCapacityInput, ReserveCapacityResult?>
{
    private const int MaxAttempts = 64;

    public override Task<ReserveCapacityResult?> ExecuteAsync(ReserveCapacityInput input, CancellationToken cancellationToken) =>
        gate.RunAsync(() => BookAsync(input, cancellationToken), cancellationToken);

    private async Task<ReserveCapacityResult?> BookAsync(ReserveCapacityInput input, CancellationToken cancellationToken)
    {
        var request = input.Request.ToPlacement(input.LeaseId);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            // 1. Read every node with its version: one consistent picture to place against.
            var nodes = await inventory.ListNodesAsync(cancellationToken);

            // 2. Already booked (a retry after a crash)? Hand back the same booking.
            var held = nodes.FirstOrDefault(n => n.Node.Allocations.ContainsKey(input.LeaseId));
            if (held is not null)
            {
                return ToResult(held.Node, held.Node.Allocations[input.LeaseId], input.Request);
            }

            // 3. Place on the snapshot; nothing fits → the lease stays queued.
            var snapshot = InventorySnapshots.ToRegions(nodes, regions.Regions, regions.IsUp);
            var decision = placement.Place(snapshot, request);
            if (decision is null)
            {
                return null;
            }

            // 4. Book it only if the node is unchanged since step 1.
            var chosen = nodes.First(n => n.Node.Region == decision.Region && n.Node.NodeId == decision.NodeId);
            var booked = chosen.Node.TryAllocate(input.LeaseId, request.Resources, request.Pool)
                ?? throw new InvalidOperationException($"Placement chose node {decision.NodeId} that does not fit.");
            if (await inventory.TryReplaceAsync(chosen, booked.Node, cancellationToken))
            {
                logger.LogInformation(
                    "Lease {LeaseId} reserved {Gpu} on {Region}/{Node}",
                    input.LeaseId, input.Request.Gpu, decision.Region, decision.NodeId);
                return ToResult(booked.Node, booked.Allocation, input.Request);
            }

            // 5. Someone else booked that node first: read again and place again.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * Math.Min(attempt, 10))), cancellationToken);
        }

        throw new InvalidOperationException($"Could not book capacity for lease {input.LeaseId} after {MaxAttempts} contended attempts.");
    }

    private ReserveCapacityResult ToResult(NodeState node, NodeAllocation allocation, LeaseRequest request) =>
        new(
            new ReservedCapacity(node.Region, node.NodeId, node.Model, [.. allocation.GpuIndices], allocation.MilliPerGpu),
            prices.PricePerHour(node.Model, node.Region, request.Class, request.Gpu));
}
