using Aisto.Domain.Depin;
using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Depin;

/// <summary>
/// The DePIN pool taking its guarantee back for a queued task: the leases to preempt (marked on their node row as
/// reclaimed for the task) and when the last of them is due to stop (its <c>PreemptAt</c>, or the lease notice from
/// now when it has not been told yet).
/// </summary>
public sealed record DepinReclaim(string TaskId, IReadOnlyList<string> Victims, DateTimeOffset FreesAt);

/// <summary>
/// What one dispatch cycle did: the tasks it admitted, the reclaims under way for tasks it could not place, and the
/// tasks it found admitted by another process's cycle that its copy of the queue showed still queued.
/// </summary>
public sealed record DepinCycle(IReadOnlyList<string> Admitted, IReadOnlyList<DepinReclaim> Reclaims, IReadOnlyList<string>? AdmittedElsewhere = null)
{
    private int wakesTaken;

    public static DepinCycle Empty => new([], []);

    /// <summary>The tasks that asked for themselves in this cycle: each learns its own booking from its answer.</summary>
    public IReadOnlySet<string> Askers { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether the task holds capacity after this cycle (admitted by it, or found admitted by another).</summary>
    public bool Holds(string taskId) => Admitted.Contains(taskId) || AdmittedElsewhere?.Contains(taskId) == true;

    /// <summary>
    /// The admitted tasks someone must wake (<c>DepinAdmitted</c>): those that did not ask in this cycle. Handed to the
    /// first caller that takes them, once; every later caller gets none — one event per admitted task instead of one
    /// per task and caller sharing the cycle.
    /// </summary>
    public IReadOnlyList<string> TakeWakes() =>
        Interlocked.Exchange(ref wakesTaken, 1) == 0 ? [.. Admitted.Where(id => !Askers.Contains(id))] : [];
}

/// <summary>
/// The DePIN scheduling cycle: takes the queued tasks in weighted-fair order (<see cref="WeightedFairQueue"/>) and
/// books each on GPUs pledged to its project first, then on the DePIN pool (the same ETag-guarded inventory rows
/// and placement policy as leases, pool <c>depin</c>, at most <see cref="DepinOptions.PoolPercent"/> of a model's
/// GPUs), within the project's GPU cap. A task that fits nowhere while the DePIN pool is owed its guarantee in a
/// region (leases borrowed it) reclaims it: borrowed leases are marked for preemption as the domain chooses them
/// (<see cref="NodeReclaimPlanner.PlanForOwner"/>: spot before on-demand, newest first, never reserved, no more than
/// needed) and the task's orchestration sends them their notice. Calls that arrive while a cycle runs share the next
/// one, so a flood of waiting tasks costs one cycle, not one each.
/// </summary>
public sealed class DepinDispatcher(
    IDepinStore store,
    IInventoryStore inventory,
    IRegionDirectory regions,
    IPlacementPolicy placement,
    ILeaseStore leases,
    InventoryWriteGate gate,
    PoolQuotas quotas,
    IOptions<DepinOptions> options,
    IOptions<LeaseOptions> leaseOptions,
    TimeProvider clock,
    ILogger<DepinDispatcher> logger)
{
    public const string Pool = "depin";

    /// <summary>CPU and memory a DePIN task takes per whole GPU.</summary>
    private const int CpuMilliPerGpu = 1000;
    private const long MemoryMiBPerGpu = 4096;

    /// <summary>
    /// Cycles start at most this often: each reads the whole dispatch queue, so under a flood of arrivals
    /// back-to-back cycles would spend the store on rereading it; callers in between share the next cycle.
    /// </summary>
    private static readonly TimeSpan MinCycleInterval = TimeSpan.FromMilliseconds(500);

    private readonly Lock sync = new();
    private Task<DepinCycle>? next;
    private HashSet<string> nextAskers = new(StringComparer.Ordinal);
    private long lastCycleStarted;

    /// <summary>Inventory holder id of a task (task ids come from outside; this keeps them apart from lease ids).</summary>
    public static string HolderOf(string taskId) => "depin:" + taskId;

    /// <summary>The task id of an inventory holder id, or null when the holder is not a DePIN task.</summary>
    public static string? TaskOf(string holderId) =>
        holderId is not null && holderId.StartsWith("depin:", StringComparison.Ordinal) ? holderId["depin:".Length..] : null;

    /// <summary>Runs a cycle (or joins the one about to run); returns the ids of the tasks it admitted.</summary>
    public async Task<IReadOnlyList<string>> RunCycleAsync(CancellationToken cancellationToken) =>
        (await RunAsync(cancellationToken)).Admitted;

    /// <summary>Runs a cycle (or joins the one about to run); returns what it admitted and the reclaims under way.</summary>
    public Task<DepinCycle> RunAsync(CancellationToken cancellationToken) => RunAsync(null, cancellationToken);

    /// <summary>
    /// Runs a cycle (or joins the one about to run) for <paramref name="askingFor"/> (null: for no task in particular),
    /// which is then among the cycle's <see cref="DepinCycle.Askers"/>: it learns its booking from the answer, so no
    /// one needs to wake it.
    /// </summary>
    public Task<DepinCycle> RunAsync(string? askingFor, CancellationToken cancellationToken)
    {
        lock (sync)
        {
            if (askingFor is not null)
            {
                nextAskers.Add(askingFor);
            }

            return next ??= RunNextAsync(cancellationToken);
        }
    }

    private async Task<DepinCycle> RunNextAsync(CancellationToken cancellationToken)
    {
        // Return to RunAsync before anything else: with a free gate and no wait the body below would otherwise clear
        // `next` synchronously, before RunAsync stores this task there — and every later caller would get this one
        // finished cycle back forever (found by the DePIN reclaim e2e test: a re-queued task was never admitted again).
        await Task.Yield();
        // Leases book through the same gate: one read-place-write of the inventory at a time in this process.
        return await gate.RunAsync(
            async () =>
            {
                var wait = MinCycleInterval - System.Diagnostics.Stopwatch.GetElapsedTime(lastCycleStarted);
                if (lastCycleStarted != 0 && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                HashSet<string> askers;
                lock (sync)
                {
                    next = null; // callers from now on wait for the cycle after this one
                    (askers, nextAskers) = (nextAskers, new HashSet<string>(StringComparer.Ordinal));
                }

                lastCycleStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                return (await CycleAsync(cancellationToken)) with { Askers = askers };
            },
            cancellationToken);
    }

    private async Task<DepinCycle> CycleAsync(CancellationToken cancellationToken)
    {
        // 1. Take the queue, the projects, their fair-share passes and the inventory in one picture. The queue is this
        //    process's copy (exact for what this process wrote; other processes' changes may lag): before a task it
        //    shows queued is booked, the fresh inventory and pledges are checked for a booking it already holds.
        var dispatch = await store.ViewDispatchAsync(cancellationToken);
        var waiting = dispatch.Where(d => !d.Admitted).ToList();
        if (waiting.Count == 0)
        {
            return DepinCycle.Empty;
        }

        var projects = (await store.ListProjectsAsync(cancellationToken)).ToDictionary(p => p.ProjectId, StringComparer.Ordinal);
        var fairShare = await store.GetFairShareAsync(cancellationToken);
        var nodes = (await inventory.ListNodesAsync(cancellationToken)).ToList();
        var allPledges = await store.ListPledgesAsync(null, cancellationToken);
        var pledges = await UsablePledgesAsync(allPledges, waiting.Select(w => w.ProjectId).ToHashSet(StringComparer.Ordinal), cancellationToken);

        // 2. What is in use: the DePIN pool per GPU model, and per project (its cap).
        var poolCap = nodes.GroupBy(n => n.Node.Model, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Sum(n => (long)n.Node.GpuCount * GpuDemand.MilliPerGpu) * options.Value.PoolPercent / 100, StringComparer.OrdinalIgnoreCase);
        var poolUsed = nodes.GroupBy(n => n.Node.Model, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Sum(n => n.Node.Allocations.Values.Where(a => a.Pool == Pool).Sum(a => (long)a.TotalGpuMilli)), StringComparer.OrdinalIgnoreCase);
        // A task the copy shows queued that is booked already: admitted by another process's cycle the copy has not
        // caught up with, or ending (its entry is gone) — neither is this cycle's to admit or charge again. One whose
        // stored entry is still queued was booked by a cycle that crashed before marking it: admitted below, its
        // booking stands. (A task this process queued or admitted is never here: its own changes are in the copy.)
        var elsewhere = new List<DispatchEntry>();
        var holding = nodes.SelectMany(n => n.Node.Allocations.Keys).Select(TaskOf).OfType<string>()
            .Concat(allPledges.SelectMany(p => p.Pledge.Holders.Keys)).ToHashSet(StringComparer.Ordinal);
        foreach (var booked in waiting.Where(w => holding.Contains(w.TaskId)).ToList())
        {
            if (await store.RefreshDispatchEntryAsync(booked.TaskId, cancellationToken) is var stored && stored is { Admitted: false })
            {
                continue;
            }

            waiting.Remove(booked);
            if (stored is not null)
            {
                elsewhere.Add(stored);
            }
        }

        var projectUsed = dispatch.Where(d => d.Admitted).Concat(elsewhere).GroupBy(d => d.ProjectId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(d => (long)d.GpuMilli), StringComparer.Ordinal);
        var byId = waiting.ToDictionary(w => w.TaskId, StringComparer.Ordinal);

        // 3. Weighted fair order; each task goes to a pledge of its project first, then to the pool.
        var admitted = new List<DispatchEntry>();
        var reclaims = new List<DepinReclaim>();
        var shares = projects.Values.Select(p => new FairShareProject(p.ProjectId, p.Priority, fairShare.Passes.GetValueOrDefault(p.ProjectId))).ToList();
        var queue = waiting.Select(w => new FairShareTask(w.TaskId, w.ProjectId, w.GpuModel, w.CostGpuMilliSeconds, w.ArrivalOrder)).ToList();
        var fair = new WeightedFairQueue(shares, queue, fairShare.VirtualTime);
        while (fair.Next() is { } task)
        {
            var entry = byId[task.TaskId];
            var withinCap = projectUsed.GetValueOrDefault(entry.ProjectId) + entry.GpuMilli <= projects[entry.ProjectId].MaxGpus * (long)GpuDemand.MilliPerGpu;
            if (!withinCap)
            {
                fair.Hold(task);
            }
            else if (await store.RefreshDispatchEntryAsync(entry.TaskId, cancellationToken) is not { Admitted: false })
            {
                // Read from the table before anything is booked for it (one read per task booked, not per task queued):
                // admitted or gone since this process's copy was read — by another process. The copy now knows; its
                // project waits for the next cycle.
                fair.Hold(task);
            }
            else if (await TryBookPledgeAsync(entry, pledges, cancellationToken) || await TryBookPoolAsync(entry, nodes, poolCap, poolUsed, cancellationToken))
            {
                if (await IsOverAsync(entry.TaskId, cancellationToken))
                {
                    // A task that already ended, queued again by a late duplicate step (found by the fault campaign:
                    // such entries were admitted cycle after cycle, holding pool GPUs no one gave back): drop it.
                    await DropEndedAsync(entry, nodes, poolUsed, cancellationToken);
                    fair.Hold(task);
                    continue;
                }

                projectUsed[entry.ProjectId] = projectUsed.GetValueOrDefault(entry.ProjectId) + entry.GpuMilli;
                admitted.Add(entry with { Admitted = true });
                fair.Admit(task);
            }
            else
            {
                // It fits nowhere. If leases borrowed the DePIN pool's guarantee, take it back for this task (the
                // first blocked task of its model; the rest of the model waits behind it, as fair share requires).
                if (await TryReclaimAsync(entry, nodes, poolCap, poolUsed, cancellationToken) is { } reclaim)
                {
                    reclaims.Add(reclaim);
                }

                fair.Block(task);
            }
        }

        var cycle = fair.Result;

        // 4. Remember who was charged, then mark the admitted (their orchestrations pick their booking up).
        await store.SaveFairShareAsync(new FairShareState(cycle.Passes, cycle.VirtualTime), cancellationToken);
        await store.MarkAdmittedAsync(admitted, cancellationToken);
        if (admitted.Count > 0)
        {
            logger.LogInformation("DePIN cycle admitted {Count} of {Waiting} queued tasks", admitted.Count, waiting.Count);
        }

        return new DepinCycle([.. admitted.Select(a => a.TaskId)], reclaims, [.. elsewhere.Select(e => e.TaskId)]);
    }

    /// <summary>Where a task holds capacity now, or null: its pool booking or its pledge booking.</summary>
    public async Task<DepinPlacement?> FindBookingAsync(string taskId, CancellationToken cancellationToken)
    {
        var holder = HolderOf(taskId);
        foreach (var node in await inventory.ListNodesAsync(cancellationToken))
        {
            if (node.Node.Allocations.TryGetValue(holder, out var a))
            {
                return new DepinPlacement(node.Node.Region, node.Node.NodeId, node.Node.Model, [.. a.GpuIndices], a.MilliPerGpu, null, DepinPlacement.Platform);
            }
        }

        foreach (var pledge in await store.ListPledgesAsync(null, cancellationToken))
        {
            if (pledge.Pledge.Holders.TryGetValue(taskId, out var milli))
            {
                return await PledgePlacementAsync(pledge.Pledge, milli, cancellationToken);
            }
        }

        return null;
    }

    private async Task<Dictionary<string, List<PledgeVersion>>> UsablePledgesAsync(
        IReadOnlyList<PledgeVersion> all, HashSet<string> projectIds, CancellationToken cancellationToken)
    {
        var usable = new Dictionary<string, List<PledgeVersion>>(StringComparer.Ordinal);
        foreach (var pledge in all)
        {
            if (!pledge.Pledge.IsActive || !projectIds.Contains(pledge.Pledge.ProjectId) || pledge.Pledge.FreeGpuMilli <= 0)
            {
                continue;
            }

            // The pledge ends with its lease: only an Active lease lends GPUs.
            var lease = await leases.FindAsync(pledge.Pledge.LeaseId, cancellationToken);
            if (lease?.Status != LeaseStatus.Active || lease.Placement is null)
            {
                continue;
            }

            if (!usable.TryGetValue(pledge.Pledge.ProjectId, out var list))
            {
                usable[pledge.Pledge.ProjectId] = list = [];
            }

            list.Add(pledge);
        }

        return usable;
    }

    private async Task<bool> TryBookPledgeAsync(DispatchEntry entry, Dictionary<string, List<PledgeVersion>> pledges, CancellationToken cancellationToken)
    {
        if (!pledges.TryGetValue(entry.ProjectId, out var candidates))
        {
            return false;
        }

        if (candidates.Any(c => c.Pledge.Holders.ContainsKey(entry.TaskId)))
        {
            return true;
        }

        for (var i = 0; i < candidates.Count; i++)
        {
            var pledge = candidates[i];
            if (pledge.Pledge.FreeGpuMilli < entry.GpuMilli)
            {
                continue;
            }

            var lease = await leases.FindAsync(pledge.Pledge.LeaseId, cancellationToken);
            if (lease?.Request.GpuModel is not { } model || !string.Equals(model, entry.GpuModel, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var holders = new Dictionary<string, int>(pledge.Pledge.Holders, StringComparer.Ordinal) { [entry.TaskId] = entry.GpuMilli };
            var updated = pledge.Pledge with { Holders = holders };
            if (await store.TryReplacePledgeAsync(pledge, updated, cancellationToken))
            {
                candidates[i] = (await store.FindPledgeAsync(pledge.Pledge.PledgeId, cancellationToken))!;
                return true;
            }
        }

        return false;
    }

    private async Task<bool> IsOverAsync(string taskId, CancellationToken cancellationToken) =>
        await store.GetTaskAsync(taskId, cancellationToken) is { Status: DepinTaskStatus.Completed or DepinTaskStatus.Failed or DepinTaskStatus.Rejected };

    /// <summary>Gives back the pool booking of an ended task's stray entry and takes the entry out of the queue.</summary>
    private async Task DropEndedAsync(DispatchEntry entry, List<NodeVersion> nodes, Dictionary<string, long> poolUsed, CancellationToken cancellationToken)
    {
        var holder = HolderOf(entry.TaskId);
        for (var i = 0; i < nodes.Count; i++)
        {
            while (nodes[i].Node.Allocations.ContainsKey(holder))
            {
                if (await inventory.TryReplaceAsync(nodes[i], nodes[i].Node.Release(holder), cancellationToken))
                {
                    poolUsed[entry.GpuModel] = poolUsed.GetValueOrDefault(entry.GpuModel) - entry.GpuMilli;
                }

                nodes[i] = await inventory.GetNodeAsync(nodes[i].Node.Region, nodes[i].Node.NodeId, cancellationToken) ?? nodes[i];
            }
        }

        await store.RemoveFromDispatchAsync(entry.TaskId, cancellationToken);
        logger.LogWarning("DePIN task {TaskId} had ended: its stray queue entry and booking were dropped", entry.TaskId);
    }

    private async Task<bool> TryBookPoolAsync(
        DispatchEntry entry, List<NodeVersion> nodes, Dictionary<string, long> poolCap, Dictionary<string, long> poolUsed, CancellationToken cancellationToken)
    {
        // Booked by a cycle that crashed before it marked the task: that booking stands.
        if (nodes.Any(n => n.Node.Allocations.ContainsKey(HolderOf(entry.TaskId))))
        {
            return true;
        }

        if (poolUsed.GetValueOrDefault(entry.GpuModel) + entry.GpuMilli > poolCap.GetValueOrDefault(entry.GpuModel))
        {
            return false;
        }

        var request = RequestOf(entry);
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var decision = placement.Place(InventorySnapshots.ToRegions(nodes, regions.Regions), request);
            if (decision is null)
            {
                return false;
            }

            var index = nodes.FindIndex(n => n.Node.Region == decision.Region && n.Node.NodeId == decision.NodeId);
            var chosen = nodes[index];
            // Terms: DePIN work is the lowest priority (spot), so when a pool takes back the quota a task borrowed,
            // the task goes before any lease; its expected end lets admission plan around it.
            var now = clock.GetUtcNow();
            var runFor = TimeSpan.FromSeconds(entry.CostGpuMilliSeconds / Math.Max(1, entry.GpuMilli));
            var booked = chosen.Node.TryAllocate(request.HolderId, request.Resources, Pool, new BookingTerms(LeaseClass.Spot, now, now + runFor));
            if (booked is null)
            {
                return false;
            }

            var won = await inventory.TryReplaceAsync(chosen, booked.Value.Node, cancellationToken);
            // Either way, read the row back: its new version (ours) or the winner's booking.
            nodes[index] = await inventory.GetNodeAsync(chosen.Node.Region, chosen.Node.NodeId, cancellationToken) ?? chosen;
            if (won)
            {
                poolUsed[entry.GpuModel] = poolUsed.GetValueOrDefault(entry.GpuModel) + entry.GpuMilli;
                return true;
            }
        }

        return false;
    }

    /// <summary>What a task asks of a pool node: its GPUs and, per whole GPU, a fixed share of CPU and memory.</summary>
    private static PlacementRequest RequestOf(DispatchEntry entry)
    {
        var gpu = entry.GpuMilli >= GpuDemand.MilliPerGpu ? GpuDemand.Whole(entry.GpuMilli / GpuDemand.MilliPerGpu) : GpuDemand.Fraction(entry.GpuMilli);
        var gpus = Math.Max(1, entry.GpuMilli / GpuDemand.MilliPerGpu);
        return new PlacementRequest(
            HolderOf(entry.TaskId), new ResourceRequest([entry.GpuModel], gpu, CpuMilliPerGpu * gpus, MemoryMiBPerGpu * gpus), Pool);
    }

    /// <summary>
    /// Takes the DePIN pool's guarantee back for a task that fits nowhere: the domain picks the node and the borrowed
    /// leases to preempt there; they are marked on the node row (ETag-guarded, so two cycles never pick twice) and
    /// named, with when they are due to stop. Asking again while they run names the same leases. Null when the pool is
    /// not owed in any region that is up, the task is over the DePIN cap anyway, or the node changed meanwhile (the
    /// next cycle asks again).
    /// </summary>
    private async Task<DepinReclaim?> TryReclaimAsync(
        DispatchEntry entry, List<NodeVersion> nodes, Dictionary<string, long> poolCap, Dictionary<string, long> poolUsed, CancellationToken cancellationToken)
    {
        if (poolUsed.GetValueOrDefault(entry.GpuModel) + entry.GpuMilli > poolCap.GetValueOrDefault(entry.GpuModel))
        {
            return null;
        }

        var request = RequestOf(entry);
        var up = regions.Regions.Where(r => regions.IsUp(r.Id)).Select(r => r.Id);
        if (NodeReclaimPlanner.PlanForOwner([.. nodes.Select(n => n.Node)], request, quotas, up) is not { } plan)
        {
            return null;
        }

        var index = nodes.FindIndex(n => n.Node.Region == plan.Region && n.Node.NodeId == plan.NodeId);
        var node = nodes[index];
        var unmarked = plan.Victims.Where(v => node.Node.Allocations[v].Terms?.ReclaimedFor is null).ToList();
        if (unmarked.Count > 0)
        {
            var marked = node.Node.WithAllocations(node.Node.Allocations.SetItems(unmarked.Select(v =>
            {
                var a = node.Node.Allocations[v];
                var terms = (a.Terms ?? new BookingTerms(LeaseClass.OnDemand, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)) with { ReclaimedFor = request.HolderId };
                return KeyValuePair.Create(v, a with { Terms = terms });
            })));
            var won = await inventory.TryReplaceAsync(node, marked, cancellationToken);
            nodes[index] = await inventory.GetNodeAsync(node.Node.Region, node.Node.NodeId, cancellationToken) ?? node;
            if (!won)
            {
                return null;
            }

            logger.LogWarning(
                "The DePIN pool reclaims {Victims} on {Region}/{Node} for task {TaskId}",
                string.Join(", ", unmarked), plan.Region, plan.NodeId, entry.TaskId);
        }

        // Each lease is due to stop when it was told (its PreemptAt), or, not told yet, one notice from now.
        var notToldYet = clock.GetUtcNow() + leaseOptions.Value.PreemptionNotice;
        var freesAt = DateTimeOffset.MinValue;
        foreach (var victim in plan.Victims)
        {
            var due = (await leases.FindAsync(victim, cancellationToken))?.PreemptAt ?? notToldYet;
            freesAt = due > freesAt ? due : freesAt;
        }

        return new DepinReclaim(entry.TaskId, plan.Victims, freesAt);
    }

    private async Task<DepinPlacement?> PledgePlacementAsync(DepinPledge pledge, int milli, CancellationToken cancellationToken)
    {
        var lease = await leases.FindAsync(pledge.LeaseId, cancellationToken);
        if (lease?.Placement is not { } at || at.Nodes.Count == 0)
        {
            return null;
        }

        // The task runs on the lease's own GPUs; which ones is the lease's allocation on its node.
        var node = await inventory.GetNodeAsync(at.Region, at.Nodes[0], cancellationToken);
        var indices = node?.Node.Allocations.TryGetValue(pledge.LeaseId, out var held) == true ? [.. held.GpuIndices] : new List<int>();
        var whole = Math.Max(1, milli / GpuDemand.MilliPerGpu);
        return new DepinPlacement(
            at.Region, at.Nodes[0], lease.Request.GpuModel, [.. indices.Take(whole)],
            milli >= GpuDemand.MilliPerGpu ? GpuDemand.MilliPerGpu : milli, pledge.PledgeId, pledge.PayoutAddress);
    }
}
