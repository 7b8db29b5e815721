using System.Diagnostics.Metrics;
using System.Numerics;
using Aisto.Domain.Depin;
using Aisto.Domain.Ledger;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Ledger;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging;

namespace Aisto.Orchestrations.Depin;

/// <summary>Input of <see cref="EnqueueDepinTaskActivity"/>.</summary>
public sealed record EnqueueDepinTaskInput(DepinTaskSpec Spec, long ArrivalOrder);

/// <summary>Puts a task in the DePIN dispatch queue (idempotent: the queue row is keyed by task id).</summary>
public sealed class EnqueueDepinTaskActivity(IDepinStore store) : AistoActivity<EnqueueDepinTaskInput, bool>
{
    public override async Task<bool> ExecuteAsync(EnqueueDepinTaskInput input, CancellationToken cancellationToken)
    {
        // A late duplicate (delivered again after a crash, when the task had run and left the queue) must not queue
        // it again: the next cycle would book GPUs for a task that is over, and no one would give them back.
        if (await store.GetTaskAsync(input.Spec.TaskId, cancellationToken) is { Status: DepinTaskStatus.Completed or DepinTaskStatus.Failed or DepinTaskStatus.Rejected })
        {
            return false;
        }

        await store.EnqueueAsync(
            new DispatchEntry(
                input.Spec.TaskId, input.Spec.ProjectId, input.Spec.GpuModel, input.Spec.Gpu.TotalMilli,
                input.Spec.CostGpuMilliSeconds, input.ArrivalOrder, Admitted: false),
            cancellationToken);
        return true;
    }
}

/// <summary>
/// What a dispatch cycle means for one task: its booking (null = still queued), whom else it admitted, and — still
/// queued because leases borrowed the DePIN pool's guarantee — the reclaim under way for it (the task's orchestration
/// gives those leases their notice and asks again when they are due to stop).
/// </summary>
/// <param name="At">When the activity answered: the task's orchestration decides on this time (queue deadline, next try),
/// not on its turn's own clock (see the remarks on <c>LeaseLifecycleOrchestrator</c>).</param>
public sealed record DepinAdmission(DepinPlacement? Placement, IReadOnlyList<string> Admitted, DepinReclaim? Reclaim = null, DateTimeOffset? At = null);

/// <summary>
/// Runs (or joins) a DePIN scheduling cycle and answers where <c>input</c> (a task id; null = just run the cycle)
/// holds capacity. Idempotent: a task admitted before gets its existing booking back.
/// </summary>
public sealed class AdmitDepinTaskActivity(IDepinStore store, DepinDispatcher dispatcher, TimeProvider clock) : AistoActivity<string?, DepinAdmission>
{
    /// <summary>Counter (meter <see cref="DepinTaskIntake.MeterName"/>): <c>DepinAdmitted</c> events handed to tries to send.</summary>
    public const string WakesCounter = "aisto.depin.admission.wakes";

    /// <summary>
    /// Counter: the tasks admitted by the cycles tries shared, summed over the tries — the events they would send if
    /// each woke every task its cycle admitted (as before the wake duty), for comparison.
    /// </summary>
    public const string SharedAdmissionsCounter = "aisto.depin.admission.shared";

    private static readonly Meter AdmissionMeter = new(DepinTaskIntake.MeterName);
    private static readonly Counter<long> Wakes = AdmissionMeter.CreateCounter<long>(WakesCounter, description: "DePIN wake events handed out.");
    private static readonly Counter<long> Shared = AdmissionMeter.CreateCounter<long>(SharedAdmissionsCounter, description: "Admissions seen by tries sharing a cycle.");

    public override async Task<DepinAdmission> ExecuteAsync(string? input, CancellationToken cancellationToken)
    {
        if (input is not null && await IsAdmittedAsync(input, cancellationToken))
        {
            return new DepinAdmission(await dispatcher.FindBookingAsync(input, cancellationToken), [], At: clock.GetUtcNow());
        }

        // The cycle finds an admission by another process's cycle that this process's copy of the queue missed (the
        // task is booked in the inventory it reads fresh); one made after it read was run by another task's
        // orchestration, which wakes this one (DepinAdmitted), and the next try finds it.
        var cycle = await dispatcher.RunAsync(input, cancellationToken);
        var mine = input is not null && cycle.Holds(input)
            ? await dispatcher.FindBookingAsync(input, cancellationToken)
            : null;
        var reclaim = mine is null ? cycle.Reclaims.FirstOrDefault(r => r.TaskId == input) : null;

        // Last, once nothing here can fail any more: this try may be the one that wakes the cycle's admitted tasks
        // (the first to take them; the others that shared the cycle wake no one, and a task that asked in it reads its
        // own booking from its answer).
        var wakes = cycle.TakeWakes();
        Wakes.Add(wakes.Count);
        Shared.Add(cycle.Admitted.Count);
        return new DepinAdmission(mine, wakes, reclaim, clock.GetUtcNow());
    }

    // This process's copy of the queue: no read for a task queued or admitted here (a task this process just queued
    // is in it as queued; a cycle here that admitted it before its orchestration ran has marked it there).
    private async Task<bool> IsAdmittedAsync(string taskId, CancellationToken cancellationToken) =>
        (await store.ViewDispatchEntryAsync(taskId, cancellationToken))?.Admitted == true;
}

/// <summary>Input of <see cref="ReleaseDepinCapacityActivity"/>.</summary>
public sealed record ReleaseDepinCapacityInput(string TaskId, DepinPlacement? Placement);

/// <summary>
/// Gives a task's GPUs back — to the pool's node row or to its pledge — and takes it out of the dispatch queue.
/// Releasing twice changes nothing.
/// </summary>
public sealed class ReleaseDepinCapacityActivity(IDepinStore store, IInventoryStore inventory, InventoryWriteGate gate)
    : AistoActivity<ReleaseDepinCapacityInput, bool>
{
    public override async Task<bool> ExecuteAsync(ReleaseDepinCapacityInput input, CancellationToken cancellationToken)
    {
        if (input.Placement is { PledgeId: { } pledgeId })
        {
            while (await store.FindPledgeAsync(pledgeId, cancellationToken) is { } pledge && pledge.Pledge.Holders.ContainsKey(input.TaskId))
            {
                var holders = pledge.Pledge.Holders.Where(h => h.Key != input.TaskId).ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
                if (await store.TryReplacePledgeAsync(pledge, pledge.Pledge with { Holders = holders }, cancellationToken))
                {
                    break;
                }
            }
        }
        else if (input.Placement is { } at)
        {
            await gate.RunAsync(
                async () =>
                {
                    var holder = DepinDispatcher.HolderOf(input.TaskId);
                    while (await inventory.GetNodeAsync(at.Region, at.NodeId, cancellationToken) is { } node && node.Node.Allocations.ContainsKey(holder))
                    {
                        if (await inventory.TryReplaceAsync(node, node.Node.Release(holder), cancellationToken))
                        {
                            break;
                        }
                    }

                    return true;
                },
                cancellationToken);
        }

        await store.RemoveFromDispatchAsync(input.TaskId, cancellationToken);
        return true;
    }
}

/// <summary>Writes a task's new status (idempotent: same input, same record).</summary>
public sealed class RecordDepinTaskActivity(IDepinStore store, IInventoryStore inventory, InventoryWriteGate gate, ILogger<RecordDepinTaskActivity> logger)
    : AistoActivity<DepinTaskTransition, bool>
{
    public override async Task<bool> ExecuteAsync(DepinTaskTransition input, CancellationToken cancellationToken)
    {
        var updated = await store.UpdateTaskAsync(input.TaskId, input.ApplyTo, cancellationToken);
        if (updated.Status is DepinTaskStatus.Completed or DepinTaskStatus.Failed or DepinTaskStatus.Rejected)
        {
            // Ended: nothing of it may stay queued or booked, whatever a late duplicate step did meanwhile.
            await store.RemoveFromDispatchAsync(input.TaskId, cancellationToken);
            var holder = DepinDispatcher.HolderOf(input.TaskId);
            await gate.RunAsync(
                async () =>
                {
                    foreach (var node in (await inventory.ListNodesAsync(cancellationToken)).Where(n => n.Node.Allocations.ContainsKey(holder)))
                    {
                        var current = node;
                        while (current is not null && current.Node.Allocations.ContainsKey(holder) && !await inventory.TryReplaceAsync(current, current.Node.Release(holder), cancellationToken))
                        {
                            current = await inventory.GetNodeAsync(node.Node.Region, node.Node.NodeId, cancellationToken);
                        }
                    }

                    return true;
                },
                cancellationToken);
        }

        logger.LogDebug("DePIN task {TaskId} is {Status}", updated.TaskId, updated.Status);
        return true;
    }
}

/// <summary>Input of <see cref="AccrueDepinRewardActivity"/>: GPU-time one contributor delivered for one task.</summary>
public sealed record AccrueDepinRewardInput(
    string TaskId,
    string ProjectId,
    string Contributor,
    long GpuMilliSeconds,
    string RewardPerGpuHour,
    DateTimeOffset From,
    DateTimeOffset To,
    int Run = 0);

/// <summary>
/// Accrues a contributor's token reward for one run of a task in the ledger (GPU-hours × the project's rate, base
/// units, rounded down). The entry id is the task id (with the run number for a run after a preemption), so a retried
/// or replayed accrual writes nothing twice, and a preempted task is paid for each run only for the seconds it ran.
/// </summary>
public sealed class AccrueDepinRewardActivity(ILedgerStore ledger, EpochCalendar epochs) : AistoActivity<AccrueDepinRewardInput, string>
{
    public override async Task<string> ExecuteAsync(AccrueDepinRewardInput input, CancellationToken cancellationToken)
    {
        var reward = DepinRewards.For(input.GpuMilliSeconds, BigInteger.Parse(input.RewardPerGpuHour, System.Globalization.CultureInfo.InvariantCulture));
        var amount = reward.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ledger.AppendAsync(
            new LedgerEntry(
                epochs.EpochOf(input.To),
                input.Run == 0 ? $"depin-reward-{input.TaskId}" : $"depin-reward-{input.TaskId}-run{input.Run + 1}",
                LedgerEntryKind.DepinReward,
                input.Contributor,
                0m,
                input.From,
                input.To,
                input.TaskId,
                amount),
            cancellationToken);
        return amount;
    }
}
