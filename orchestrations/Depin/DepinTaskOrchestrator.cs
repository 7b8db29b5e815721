using System.Globalization;
using System.Numerics;
using Aisto.Domain.Depin;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.DurableTask;

namespace Aisto.Orchestrations.Depin;

/// <summary>
/// One DePIN task from intake to reward: queued in the DePIN dispatch queue → admitted by a weighted-fair cycle onto
/// pledged GPUs or the DePIN pool → provisioned through the region port → runs for its duration → torn down and
/// released → GPU-seconds metered and the contributor's reward accrued → Completed. A failed run is released and
/// queued again up to <see cref="DepinTaskTimings.MaxAttempts"/> times. Only activities and durable timers; no
/// sub-orchestrations.
/// </summary>
public sealed class DepinTaskOrchestrator : TaskOrchestrator<DepinTaskInput, DepinTaskOutcome>
{
    /// <summary>Admission tries before the history is trimmed with ContinueAsNew.</summary>
    private const int TurnsPerGeneration = 50;

    /// <summary>How long after the preempted leases are due to stop the task asks again (they end, then give back).</summary>
    private static readonly TimeSpan ReclaimSlack = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the task asks while leases preempted for it are past due but have not given their GPUs back.</summary>
    private static readonly TimeSpan ReclaimPoll = TimeSpan.FromSeconds(1);

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2.0));

    public override async Task<DepinTaskOutcome> RunAsync(TaskOrchestrationContext context, DepinTaskInput input)
    {
        var spec = input.Spec;

        // 1. Into the dispatch queue (arrival order = when the message was received).
        if (!input.Enqueued)
        {
            await context.CallActivityAsync<bool>(
                nameof(EnqueueDepinTaskActivity), new EnqueueDepinTaskInput(spec, input.ReceivedAt.UtcTicks), Retry);
        }

        // 2. Wait for a fair-share cycle to admit it (ours, or one another task ran), within the queue time.
        var (placement, timedOut) = await WaitForAdmissionAsync(context, input);
        if (placement is null && !timedOut)
        {
            context.ContinueAsNew(input with { Enqueued = true });
            return new DepinTaskOutcome(DepinTaskStatus.Queued, 0m, "0", null);
        }

        if (placement is null)
        {
            await ReleaseAsync(context, spec.TaskId, null);
            return await EndAsync(context, spec, DepinTaskStatus.Failed, 0m, "0", DepinFailureReasons.NoCapacity);
        }

        // 3. Run it where it was booked.
        await RecordAsync(context, new DepinTaskTransition(spec.TaskId, DepinTaskStatus.Running, Placement: placement));
        var failure = await ProvisionAsync(context, input, placement);
        if (failure is not null)
        {
            await TeardownAsync(context, placement, spec.TaskId);
            await ReleaseAsync(context, spec.TaskId, placement);
            await AdmitNextAsync(context, spec.TaskId);
            if (input.Attempt < input.Timings.MaxAttempts)
            {
                await RecordAsync(context, new DepinTaskTransition(spec.TaskId, DepinTaskStatus.Queued, FailureReason: failure));
                context.ContinueAsNew(input with { Attempt = input.Attempt + 1, Enqueued = false });
                return new DepinTaskOutcome(DepinTaskStatus.Queued, 0m, "0", failure);
            }

            return await EndAsync(context, spec, DepinTaskStatus.Failed, 0m, "0", failure);
        }

        // 4. The simulated (or real) cluster runs it for the duration the message asked for — unless a pool takes
        //    back the quota it borrowed: then it stops when the notice runs out, gives the GPUs to the lease they
        //    were reclaimed for, is paid for the whole seconds it ran, and queues again (keeping its place) for the
        //    rest of its run.
        var startedAt = new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
        var endsAt = startedAt.AddSeconds(spec.DurationSeconds);
        if (await RunUntilAsync(context, endsAt) is { } reclaim)
        {
            var ran = Math.Clamp((long)(context.CurrentUtcDateTime - startedAt.UtcDateTime).TotalSeconds, 0, spec.DurationSeconds - 1);
            await TeardownAsync(context, placement, spec.TaskId);
            await ReleaseAsync(context, spec.TaskId, placement);
            context.SendEvent(reclaim.ForLeaseId, LeaseEvents.CapacityFreed, spec.TaskId);
            var (ranGpuMilliSeconds, ranReward) = await AccrueAsync(context, input, placement, startedAt, ran);
            await RecordAsync(context, new DepinTaskTransition(
                spec.TaskId, DepinTaskStatus.Queued, GpuSeconds: DepinRewards.GpuSeconds(ranGpuMilliSeconds), Reward: ranReward,
                FailureReason: DepinFailureReasons.Preempted));
            context.ContinueAsNew(input with
            {
                Spec = spec with { DurationMinutes = (spec.DurationSeconds - ran) / 60m },
                Enqueued = false,
                Run = input.Run + 1,
                DeliveredGpuMilliSeconds = ranGpuMilliSeconds,
                RewardBefore = ranReward,
            });
            return new DepinTaskOutcome(DepinTaskStatus.Queued, DepinRewards.GpuSeconds(ranGpuMilliSeconds), ranReward, DepinFailureReasons.Preempted);
        }

        // 5. Done: free the GPUs, let the next tasks in, meter the GPU-time and accrue the contributor's reward.
        await TeardownAsync(context, placement, spec.TaskId);
        await ReleaseAsync(context, spec.TaskId, placement);
        await AdmitNextAsync(context, spec.TaskId);
        var (gpuMilliSeconds, reward) = await AccrueAsync(context, input, placement, startedAt, spec.DurationSeconds);
        return await EndAsync(context, spec, DepinTaskStatus.Completed, DepinRewards.GpuSeconds(gpuMilliSeconds), reward, null);
    }

    /// <summary>
    /// Accrues this run's reward (<paramref name="seconds"/> from <paramref name="startedAt"/>) and returns the task's
    /// totals over all its runs: GPU thousandths × seconds delivered and the reward in base units.
    /// </summary>
    private static async Task<(long GpuMilliSeconds, string Reward)> AccrueAsync(
        TaskOrchestrationContext context, DepinTaskInput input, DepinPlacement placement, DateTimeOffset startedAt, long seconds)
    {
        var spec = input.Spec;
        var gpuMilliSeconds = DepinRewards.GpuMilliSeconds(placement.TotalGpuMilli, seconds);
        var reward = seconds == 0 ? "0" : await context.CallActivityAsync<string>(
            nameof(AccrueDepinRewardActivity),
            new AccrueDepinRewardInput(
                spec.TaskId, spec.ProjectId, placement.Contributor, gpuMilliSeconds, input.RewardPerGpuHour, startedAt, startedAt.AddSeconds(seconds), input.Run),
            Retry);
        var total = BigInteger.Parse(input.RewardBefore, CultureInfo.InvariantCulture) + BigInteger.Parse(reward, CultureInfo.InvariantCulture);
        return (input.DeliveredGpuMilliSeconds + gpuMilliSeconds, total.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<(DepinPlacement? Placement, bool TimedOut)> WaitForAdmissionAsync(
        TaskOrchestrationContext context, DepinTaskInput input)
    {
        var deadline = input.ReceivedAt + input.Timings.MaxQueueTime;
        for (var turn = 0; turn < TurnsPerGeneration; turn++)
        {
            var admission = await context.CallActivityAsync<DepinAdmission>(nameof(AdmitDepinTaskActivity), input.Spec.TaskId, Retry);
            Wake(context, admission, input.Spec.TaskId);
            if (admission.Placement is not null)
            {
                return (admission.Placement, false);
            }

            // Decided on the activity's time, not this turn's clock: a turn that runs twice must decide the same.
            var now = admission.At ?? new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
            if (now >= deadline)
            {
                return (null, true);
            }

            // Sleep until a cycle admits us (an event), or the retry timer — or, when the DePIN pool is taking its
            // guarantee back for us, until the leases preempted for us are due to stop.
            var wakeAt = now + input.Timings.QueueRetryInterval < deadline ? now + input.Timings.QueueRetryInterval : deadline;
            if (admission.Reclaim is { } reclaim)
            {
                Preempt(context, reclaim, now);
                var soon = reclaim.FreesAt > now ? reclaim.FreesAt + ReclaimSlack : now + ReclaimPoll;
                wakeAt = soon < wakeAt ? soon : wakeAt;
            }

            using var stopWaiting = new CancellationTokenSource();
            var timer = context.CreateTimer(wakeAt.UtcDateTime, stopWaiting.Token);
            var admitted = context.WaitForExternalEvent<string>(DepinEvents.Admitted, stopWaiting.Token);
            await Task.WhenAny(timer, admitted);
            StopWaiting(stopWaiting);
        }

        return (null, false);
    }

    /// <summary>
    /// Waits until the run ends, or until a preemption notice (a lease reclaiming the quota the task borrowed) runs
    /// out first: then returns that notice. Notices after the first change nothing.
    /// </summary>
    private static async Task<PreemptLeaseEvent?> RunUntilAsync(TaskOrchestrationContext context, DateTimeOffset endsAt)
    {
        using var stopWaiting = new CancellationTokenSource();
        var done = context.CreateTimer(endsAt.UtcDateTime, stopWaiting.Token);
        var preempt = context.WaitForExternalEvent<PreemptLeaseEvent>(LeaseEvents.Preempt, stopWaiting.Token);
        var winner = await Task.WhenAny(done, preempt);
        StopWaiting(stopWaiting);
        if (winner == done)
        {
            return null;
        }

        var reclaim = await preempt;
        var noticeEnds = context.CurrentUtcDateTime + (reclaim.Notice ?? TimeSpan.Zero);
        if (noticeEnds >= endsAt.UtcDateTime)
        {
            await context.CreateTimer(endsAt.UtcDateTime, CancellationToken.None); // It ends before the notice does.
            return null;
        }

        await context.CreateTimer(noticeEnds, CancellationToken.None);
        return reclaim;
    }

    /// <summary>Starts the task's workload and polls until it runs; returns why it failed, or null.</summary>
    private static async Task<string?> ProvisionAsync(TaskOrchestrationContext context, DepinTaskInput input, DepinPlacement placement)
    {
        var spec = input.Spec;
        var holder = DepinDispatcher.HolderOf(spec.TaskId);
        try
        {
            var workload = new WorkloadSpec(
                holder, spec.ProjectId, DepinDispatcher.Pool, placement.NodeId, placement.GpuModel, placement.GpuIndices,
                placement.MilliPerGpu, new Domain.Leases.Workload(spec.Image, spec.Command, new Dictionary<string, string>()));
            // (The activity reports the workload's phase at once; the poll below reads it again either way.)
            await context.CallActivityAsync<WorkloadState>(
                nameof(ProvisionWorkloadActivity), new ProvisionWorkloadInput(placement.Region, workload), Retry);

            // The timeout counts polls, not the turn's clock (a turn that runs twice must decide the same).
            var maxPolls = (int)Math.Ceiling(input.Timings.ProvisioningTimeout / input.Timings.ReadyPollInterval) + 1;
            for (var poll = 0; poll < maxPolls; poll++)
            {
                var state = await context.CallActivityAsync<WorkloadState>(
                    nameof(CheckWorkloadActivity), new WorkloadRef(placement.Region, holder), Retry);
                switch (state.Phase)
                {
                    case WorkloadPhase.Running:
                        return null;
                    case WorkloadPhase.Failed:
                        return $"{DepinFailureReasons.ProvisioningFailed}: {state.Reason}";
                    case WorkloadPhase.NotFound:
                        return $"{DepinFailureReasons.ProvisioningFailed}: the workload disappeared";
                    default:
                        break;
                }

                await context.CreateTimer(context.CurrentUtcDateTime + input.Timings.ReadyPollInterval, CancellationToken.None);
            }

            return DepinFailureReasons.ProvisioningTimeout;
        }
        catch (TaskFailedException ex)
        {
            return $"{DepinFailureReasons.ProvisioningFailed}: {ex.FailureDetails.ErrorMessage}";
        }
    }

    private static async Task<DepinTaskOutcome> EndAsync(
        TaskOrchestrationContext context, DepinTaskSpec spec, DepinTaskStatus status, decimal gpuSeconds, string reward, string? failure)
    {
        await RecordAsync(context, new DepinTaskTransition(
            spec.TaskId, status, GpuSeconds: gpuSeconds, Reward: reward, FailureReason: failure, EndedAt: context.CurrentUtcDateTime));
        return new DepinTaskOutcome(status, gpuSeconds, reward, failure);
    }

    /// <summary>Capacity was freed: run a cycle and wake the tasks it admitted.</summary>
    private static async Task AdmitNextAsync(TaskOrchestrationContext context, string self)
    {
        var admission = await context.CallActivityAsync<DepinAdmission>(nameof(AdmitDepinTaskActivity), null, Retry);
        Wake(context, admission, self);
    }

    /// <summary>
    /// Gives the leases preempted for this task their notice (each lease applies its own configured notice; a notice
    /// it already has changes nothing, so asking again on every try is safe — and needed, since a notice sent before a
    /// lease became Active is ignored).
    /// </summary>
    private static void Preempt(TaskOrchestrationContext context, DepinReclaim reclaim, DateTimeOffset now)
    {
        foreach (var victim in reclaim.Victims)
        {
            context.SendEvent(victim, LeaseEvents.Preempt, new PreemptLeaseEvent(DepinDispatcher.HolderOf(reclaim.TaskId), null, now));
        }
    }

    private static void Wake(TaskOrchestrationContext context, DepinAdmission admission, string self)
    {
        foreach (var taskId in admission.Admitted.Where(id => id != self))
        {
            context.SendEvent(taskId, DepinEvents.Admitted, self);
        }
    }

    private static Task<bool> TeardownAsync(TaskOrchestrationContext context, DepinPlacement placement, string taskId) =>
        context.CallActivityAsync<bool>(
            nameof(TeardownWorkloadActivity), new WorkloadRef(placement.Region, DepinDispatcher.HolderOf(taskId)), Retry);

    private static Task<bool> ReleaseAsync(TaskOrchestrationContext context, string taskId, DepinPlacement? placement) =>
        context.CallActivityAsync<bool>(nameof(ReleaseDepinCapacityActivity), new ReleaseDepinCapacityInput(taskId, placement), Retry);

    private static Task<bool> RecordAsync(TaskOrchestrationContext context, DepinTaskTransition transition) =>
        context.CallActivityAsync<bool>(nameof(RecordDepinTaskActivity), transition, Retry);

    /// <summary>Cancels the losing wait synchronously (CancelAsync would resume outside the durable scheduler).</summary>
#pragma warning disable CA1849 // Synchronous by design, see above.
    private static void StopWaiting(CancellationTokenSource source) => source.Cancel();
#pragma warning restore CA1849
}
