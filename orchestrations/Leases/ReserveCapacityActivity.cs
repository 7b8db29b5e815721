using Aisto.Domain.Leases;
using Aisto.Domain.Pricing;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;
using Aisto.Orchestrations.Depin;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging;

namespace Aisto.Orchestrations.Leases;

/// <summary>Input of <see cref="ReserveCapacityActivity"/>.</summary>
/// <param name="TenantId">Recorded on the booking, for fair share; null in inputs recorded before it was.</param>
public sealed record ReserveCapacityInput(string LeaseId, LeaseRequest Request, string? TenantId = null);

/// <summary>
/// What a booking attempt achieved: capacity booked (with the hourly price in the region it landed in), or nothing
/// yet — in which case <see cref="Preempting"/> names the borrowed work being reclaimed for this lease, if any, and
/// <see cref="Wake"/> the queued leases the admission walk lets go first (the caller wakes them).
/// </summary>
public sealed record ReserveCapacityResult(
    ReservedCapacity? Reservation, decimal PricePerHour, IReadOnlyList<string> Preempting, IReadOnlyList<string>? Wake = null, DateTimeOffset? At = null)
{
    public static ReserveCapacityResult Nothing { get; } = new(null, 0m, []);
}

/// <summary>
/// Places a lease and books its GPUs on the chosen node row with an ETag-guarded write (a lost race re-reads and
/// places again), then records the lease as Provisioning with its placement and price. The pools decide too:
/// reserved work stays within its pool's guarantee, and a pool that is owed capacity but finds none free marks
/// borrowed work of other pools for preemption (the lifecycle sends the notices). When other leases are queued, the
/// admission walk over the queue (<see cref="LeaseAdmission"/>: class, age, fair share, owed before borrowing,
/// backfill that never delays a reserved node) must admit this lease too, and it books where the walk placed it;
/// otherwise it stays queued and the leases admitted ahead of it are named to be woken. Idempotent: a lease that
/// already holds capacity gets the same booking back, and asking again while a reclaim is under way names the same
/// victims.
/// <para>
/// The first try places on this process's copy of the nodes (<see cref="IInventoryStore.ViewNodesAsync"/>), not on a
/// fresh read of every node: the chosen node's ETag confirms it, and "no room" or "already held" is asked again on a
/// fresh read; "wait, others go first" is not (a release wakes the leases it lets in). What the copy can get wrong is
/// bounded by its age (one second) and concerns other processes only (this process's writes are in it at once):
/// a pool's share may be judged on others' bookings of the last second (a fresh read has the same race, only
/// shorter, and an owed pool reclaims). The fresh read was one storage request of ~15 per lease lifecycle, and the
/// most expensive one (every node with its bookings).
/// </para>
/// </summary>
public sealed class ReserveCapacityActivity(
    IInventoryStore inventory,
    ILeaseStore leases,
    IRegionDirectory regions,
    IPlacementPolicy placement,
    InventoryWriteGate gate,
    PriceBook prices,
    PoolQuotas quotas,
    LeaseAdmission admission,
    CapacityRelease release,
    TimeProvider clock,
    ILogger<ReserveCapacityActivity> logger) : AistoActivity<ReserveCapacityInput, ReserveCapacityResult>
{
    private const int MaxAttempts = 64;

    public override async Task<ReserveCapacityResult> ExecuteAsync(ReserveCapacityInput input, CancellationToken cancellationToken)
    {
        // The queue is read before the inventory gate (a slightly older queue only changes who goes first; the
        // ETag-guarded booking still decides who gets a node).
        var queue = await admission.ReadQueueAsync(cancellationToken);
        var result = await gate.RunAsync(() => BookAsync(input, queue, cancellationToken), cancellationToken);
        if (result.Reservation is { } r)
        {
            // A late duplicate of this activity — its message delivered again after a crash, when the lifecycle had
            // long moved on — books for a lease that is ending or ended: give that booking back (found by the fault
            // campaign as GPUs held by Released and Cancelled leases). EndLeaseActivity covers the other order.
            // The status is checked inside the ETag-guarded update, on the record it writes over: no separate read.
            var provisioning = new LeaseTransition(
                input.LeaseId, LeaseStatus.Provisioning,
                Placement: new LeasePlacement(r.Region, $"{r.Region}-gpu", [r.NodeId]),
                PricePerHour: result.PricePerHour);
            LeaseStatus? ending = null;
            await leases.UpdateAsync(
                input.LeaseId,
                lease =>
                {
                    ending = lease.Status.IsTerminal() || lease.Status == LeaseStatus.Releasing ? lease.Status : null;
                    return ending is null ? provisioning.ApplyTo(lease) : lease;
                },
                cancellationToken);
            if (ending is { } status)
            {
                await release.ReleaseAsync(new ReleaseCapacityInput(input.LeaseId, r.Region, r.NodeId), cancellationToken);
                logger.LogWarning("Lease {LeaseId} is {Status}: a late booking on {Node} was given back", input.LeaseId, status, r.NodeId);
                return ReserveCapacityResult.Nothing with { At = clock.GetUtcNow() };
            }
        }

        // The lifecycle decides on this time (deadline, next retry), not on its own turn's clock: see its remarks.
        return result with { At = clock.GetUtcNow() };
    }

    private async Task<ReserveCapacityResult> BookAsync(ReserveCapacityInput input, AdmissionQueue queue, CancellationToken cancellationToken)
    {
        var request = input.Request.ToPlacement(input.LeaseId);
        var owner = RegionPools.PoolOf(request.Pool);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            // 1. Every node with its version: first this process's copy (its own writes applied at once, others' at
            //    most QueueViewMaxAge old), after a lost race or a "no" the table itself. So a booking costs one
            //    write when the copy is right, and only the ETag-confirmed write or a fresh read decides: a stale
            //    copy fails the write (step 5), and "no room" is never said from the copy (it reads again: a reclaim
            //    may follow). "Wait, others go first" is (step 3b): a copy that missed GPUs another process freed
            //    only delays the lease until that process's release wakes the leases its walk admits.
            var fromCopy = attempt == 1;
            var nodes = fromCopy ? await inventory.ViewNodesAsync(cancellationToken) : await inventory.ListNodesAsync(cancellationToken);

            // 2. Already booked (a retry after a crash)? Hand back the same booking.
            //    The copy misses a booking only if another process made it in the last seconds, and a message
            //    of a crashed process is delivered again minutes later (the queue's visibility timeout): by then
            //    any copy has been read again. A booking the copy shows is confirmed on the table.
            var held = nodes.FirstOrDefault(n => n.Node.Allocations.ContainsKey(input.LeaseId));
            if (held is not null && fromCopy)
            {
                continue;
            }

            if (held is not null)
            {
                return ToResult(held.Node, held.Node.Allocations[input.LeaseId], input.Request, nodes);
            }

            // 3. Place on the snapshot, within what the pools allow; nothing fits → try to reclaim, else stay queued.
            var snapshot = InventorySnapshots.ToRegions(nodes, regions.Regions, regions.IsUp);
            var decision = placement.Place(snapshot, request);
            if (decision is not null
                && !RegionPools.Of(decision.Region, nodes.Select(n => n.Node), quotas).Admits(owner, input.Request.Class, request.Resources.Gpu.TotalMilli))
            {
                decision = null;
            }

            if (decision is null && fromCopy)
            {
                continue;
            }

            if (decision is null)
            {
                var reclaim = await TryReclaimAsync(input, request, nodes, cancellationToken);
                if (reclaim is null)
                {
                    continue; // A node changed under us: read again.
                }

                return reclaim;
            }

            // 3b. Others are queued: the admission walk decides who goes first, and where.
            if (queue.HasOthersThan(input.LeaseId))
            {
                var walk = admission.Run(nodes, queue, input.LeaseId, input.Request);
                if (walk.AdmissionOf(input.LeaseId) is not { } admitted)
                {
                    logger.LogInformation(
                        "Lease {LeaseId} waits: the admission walk puts it at {Position} of {Queued}",
                        input.LeaseId, walk.PositionOf(input.LeaseId), queue.Queued.Count);
                    return ReserveCapacityResult.Nothing with { Wake = LeaseAdmission.ToWake(walk, queue, input.LeaseId) };
                }

                decision = admitted.Decision;
            }

            // 4. Book it only if the node is unchanged since step 1.
            var chosen = nodes.First(n => n.Node.Region == decision.Region && n.Node.NodeId == decision.NodeId);
            var now = clock.GetUtcNow();
            var terms = new BookingTerms(input.Request.Class, now, now + input.Request.Duration, TenantId: input.TenantId);
            var booked = chosen.Node.TryAllocate(input.LeaseId, request.Resources, request.Pool, terms)
                ?? throw new InvalidOperationException($"Placement chose node {decision.NodeId} that does not fit.");
            if (await inventory.TryReplaceAsync(chosen, booked.Node, cancellationToken))
            {
                logger.LogInformation(
                    "Lease {LeaseId} reserved {Gpu} on {Region}/{Node}",
                    input.LeaseId, input.Request.Gpu, decision.Region, decision.NodeId);
                return ToResult(booked.Node, booked.Allocation, input.Request, nodes);
            }

            // 5. Someone else booked that node first (or the copy was stale): read again and place again.
            if (fromCopy)
            {
                continue;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * Math.Min(attempt, 10))), cancellationToken);
        }

        throw new InvalidOperationException($"Could not book capacity for lease {input.LeaseId} after {MaxAttempts} contended attempts.");
    }

    /// <summary>
    /// Marks the victims of a reclaim on their node row (so no second reclaim picks more for this lease) and names
    /// them; <see cref="ReserveCapacityResult.Nothing"/> when the pool is not owed or no node would do; null when the
    /// node changed before the mark was written.
    /// </summary>
    private async Task<ReserveCapacityResult?> TryReclaimAsync(
        ReserveCapacityInput input, PlacementRequest request, IReadOnlyList<NodeVersion> nodes, CancellationToken cancellationToken)
    {
        var states = nodes.Select(n => n.Node).ToList();
        var plan = NodeReclaimPlanner.Plan(states, request, input.Request.Class, quotas, regions.Regions.Where(r => regions.IsUp(r.Id)).Select(r => r.Id));
        if (plan is null)
        {
            return ReserveCapacityResult.Nothing;
        }

        var node = nodes.First(n => n.Node.Region == plan.Region && n.Node.NodeId == plan.NodeId);
        var unmarked = plan.Victims.Where(v => node.Node.Allocations[v].Terms?.ReclaimedFor is null).ToList();
        if (unmarked.Count > 0)
        {
            var marked = node.Node.WithAllocations(node.Node.Allocations.SetItems(unmarked.Select(v =>
            {
                var a = node.Node.Allocations[v];
                var terms = (a.Terms ?? new BookingTerms(LeaseClass.OnDemand, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)) with { ReclaimedFor = input.LeaseId };
                return KeyValuePair.Create(v, a with { Terms = terms });
            })));
            if (!await inventory.TryReplaceAsync(node, marked, cancellationToken))
            {
                return null;
            }

            logger.LogWarning(
                "Pool {Pool} reclaims {Victims} on {Region}/{Node} for lease {LeaseId}",
                request.Pool, string.Join(", ", unmarked), plan.Region, plan.NodeId, input.LeaseId);
        }

        // A DePIN task victim is told through its task orchestration (instance id = task id).
        return ReserveCapacityResult.Nothing with { Preempting = [.. plan.Victims.Select(v => DepinDispatcher.TaskOf(v) ?? v)] };
    }

    private ReserveCapacityResult ToResult(NodeState node, NodeAllocation allocation, LeaseRequest request, IReadOnlyList<NodeVersion> nodes)
    {
        // Spot prices follow the model's utilization in the region at booking time (this booking included).
        var sameModel = nodes.Select(n => n.Node.NodeId == node.NodeId ? node : n.Node)
            .Where(n => n.Region == node.Region && string.Equals(n.Model, node.Model, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var total = sameModel.Sum(n => (long)n.GpuCount * GpuDemand.MilliPerGpu);
        var used = sameModel.Sum(n => (long)n.GpuMilliUsed.Sum());
        var utilization = total == 0 ? 0m : (decimal)used / total;
        return new ReserveCapacityResult(
            new ReservedCapacity(node.Region, node.NodeId, node.Model, [.. allocation.GpuIndices], allocation.MilliPerGpu),
            LeasePricing.PricePerHour(prices, request, node.Region, utilization),
            []);
    }
}
