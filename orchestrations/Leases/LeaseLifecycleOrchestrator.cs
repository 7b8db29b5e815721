using Aisto.Domain.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.DurableTask;

namespace Aisto.Orchestrations.Leases;

/// <summary>
/// One lease from request to end: Queued → capacity reserved → Provisioning → Active (timer to expiry; extend and
/// cancel events; metered per second into the ledger) → Releasing → Released / Expired / Cancelled / Failed.
/// Deterministic: time comes from the context, waits are durable timers, every side effect is an activity.
/// </summary>
public sealed class LeaseLifecycleOrchestrator : TaskOrchestrator<LeaseLifecycleInput, LeaseOutcome>
{
    /// <summary>Active-phase turns before the history is trimmed with ContinueAsNew.</summary>
    private const int TurnsPerGeneration = 50;

    /// <summary>Queued leases woken when capacity frees.</summary>
    private const int QueuedLeasesToWake = 20;

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2.0));

    public override async Task<LeaseOutcome> RunAsync(TaskOrchestrationContext context, LeaseLifecycleInput input)
    {
        var cancel = context.WaitForExternalEvent<string>(LeaseEvents.Cancel);
        if (input.State is { } resumed)
        {
            return await RunActiveAsync(context, input, resumed, cancel);
        }

        // 1. Queue until capacity is booked, the queue time runs out, or the tenant cancels.
        var (booked, keepWaiting) = await QueueAsync(context, input, cancel);
        if (keepWaiting)
        {
            context.ContinueAsNew(input, preserveUnprocessedEvents: true);
            return new LeaseOutcome(LeaseStatus.Queued, null, 0m);
        }

        if (booked is null)
        {
            return await EndQueuedAsync(context, input, cancel.IsCompleted);
        }

        // 2. Provision on the booked node; on failure undo in reverse order of what was done.
        var reservation = booked.Reservation;
        var compensations = new Stack<Func<Task>>();
        compensations.Push(() => ReleaseAsync(context, input.LeaseId, reservation));
        await RecordAsync(context, new LeaseTransition(
            input.LeaseId, LeaseStatus.Provisioning, Placement: ToPlacement(reservation), PricePerHour: booked.PricePerHour));

        var failure = await ProvisionAsync(context, input, reservation, compensations);
        if (failure is not null)
        {
            foreach (var undo in compensations)
            {
                await undo();
            }

            await RecordAsync(context, new LeaseTransition(
                input.LeaseId, LeaseStatus.Failed, EndedAt: context.CurrentUtcDateTime, FailureReason: failure));
            await WakeQueuedLeasesAsync(context, input.LeaseId, reservation.GpuModel);
            return new LeaseOutcome(LeaseStatus.Failed, failure, 0m);
        }

        // 3. Active: the clock of the lease starts now.
        var activeAt = new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
        var progress = new LeaseProgress(reservation, booked.PricePerHour, activeAt, activeAt + input.Request.Duration, activeAt, 0m);
        await RecordAsync(context, new LeaseTransition(
            input.LeaseId, LeaseStatus.Active, ActiveAt: progress.ActiveAt, ExpiresAt: progress.ExpiresAt, ChargedSoFar: 0m));
        return await RunActiveAsync(context, input, progress, cancel);
    }

    /// <summary>
    /// Tries to book until it succeeds, the deadline passes or the tenant cancels; after
    /// <see cref="TurnsPerGeneration"/> tries it asks to continue as new (keepWaiting) to trim history.
    /// </summary>
    private static async Task<(ReserveCapacityResult? Booked, bool KeepWaiting)> QueueAsync(
        TaskOrchestrationContext context, LeaseLifecycleInput input, Task<string> cancel)
    {
        var deadline = input.RequestedAt + input.Timings.MaxQueueTime;
        for (var turn = 0; turn < TurnsPerGeneration; turn++)
        {
            var booked = await context.CallActivityAsync<ReserveCapacityResult?>(
                nameof(ReserveCapacityActivity), new ReserveCapacityInput(input.LeaseId, input.Request), Retry);
            if (booked is not null)
            {
                return (booked, false);
            }

            var now = new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
            if (now >= deadline || cancel.IsCompleted)
            {
                return (null, false);
            }

            if (turn == 0 && input.State is null)
            {
                await context.CallActivityAsync<bool>(nameof(MarkLeaseWaitingActivity), input.LeaseId, Retry);
            }

            // Wait for a lease elsewhere to free capacity, the backoff timer, or a cancellation.
            var wakeAt = now + input.Timings.QueueRetryInterval < deadline ? now + input.Timings.QueueRetryInterval : deadline;
            using var stopWaiting = new CancellationTokenSource();
            var timer = context.CreateTimer(wakeAt.UtcDateTime, stopWaiting.Token);
            var freed = context.WaitForExternalEvent<string>(LeaseEvents.CapacityFreed, stopWaiting.Token);
            await Task.WhenAny(timer, freed, cancel);
            StopWaiting(stopWaiting);
            if (cancel.IsCompleted)
            {
                return (null, false);
            }
        }

        return (null, true);
    }

    private static async Task<LeaseOutcome> EndQueuedAsync(TaskOrchestrationContext context, LeaseLifecycleInput input, bool cancelled)
    {
        var status = cancelled ? LeaseStatus.Cancelled : LeaseStatus.Failed;
        var reason = cancelled ? null : LeaseFailureReasons.NoCapacity;
        await RecordAsync(context, new LeaseTransition(
            input.LeaseId, status, EndedAt: context.CurrentUtcDateTime, ChargedSoFar: 0m, FailureReason: reason));
        return new LeaseOutcome(status, reason, 0m);
    }

    /// <summary>Starts the workload and polls until it runs; returns why it failed, or null.</summary>
    private static async Task<string?> ProvisionAsync(
        TaskOrchestrationContext context, LeaseLifecycleInput input, ReservedCapacity reservation, Stack<Func<Task>> compensations)
    {
        var workload = new WorkloadRef(reservation.Region, input.LeaseId);
        try
        {
            compensations.Push(() => context.CallActivityAsync<bool>(nameof(TeardownWorkloadActivity), workload, Retry));
            var spec = new WorkloadSpec(
                input.LeaseId, input.TenantId, input.Request.Pool.ToString().ToLowerInvariant(), reservation.NodeId,
                reservation.GpuModel, reservation.GpuIndices, reservation.MilliPerGpu, input.Request.Workload);
            await context.CallActivityAsync<bool>(
                nameof(ProvisionWorkloadActivity), new ProvisionWorkloadInput(reservation.Region, spec), Retry);

            var readyBy = context.CurrentUtcDateTime + input.Timings.ProvisioningTimeout;
            var maxPolls = (int)Math.Ceiling(input.Timings.ProvisioningTimeout / input.Timings.ReadyPollInterval) + 1;
            for (var poll = 0; poll < maxPolls; poll++)
            {
                var state = await context.CallActivityAsync<WorkloadState>(nameof(CheckWorkloadActivity), workload, Retry);
                switch (state.Phase)
                {
                    case WorkloadPhase.Running:
                        return null;
                    case WorkloadPhase.Failed:
                        return $"{LeaseFailureReasons.ProvisioningFailed}: {state.Reason}";
                    case WorkloadPhase.NotFound:
                        return $"{LeaseFailureReasons.ProvisioningFailed}: the workload disappeared";
                    default:
                        break;
                }

                if (context.CurrentUtcDateTime >= readyBy)
                {
                    return LeaseFailureReasons.ProvisioningTimeout;
                }

                await context.CreateTimer(context.CurrentUtcDateTime + input.Timings.ReadyPollInterval, CancellationToken.None);
            }

            return LeaseFailureReasons.ProvisioningTimeout;
        }
        catch (TaskFailedException ex)
        {
            return $"{LeaseFailureReasons.ProvisioningFailed}: {ex.FailureDetails.ErrorMessage}";
        }
    }

    private static async Task<LeaseOutcome> RunActiveAsync(
        TaskOrchestrationContext context, LeaseLifecycleInput input, LeaseProgress progress, Task<string> cancel)
    {
        var extend = context.WaitForExternalEvent<ExtendLeaseEvent>(LeaseEvents.Extend);
        var endStatus = LeaseStatus.Expired;
        for (var turn = 0; ; turn++)
        {
            var now = new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
            if (cancel.IsCompleted)
            {
                endStatus = LeaseStatus.Released;
                break;
            }

            if (now >= progress.ExpiresAt)
            {
                break;
            }

            if (turn == TurnsPerGeneration)
            {
                context.ContinueAsNew(input with { State = progress }, preserveUnprocessedEvents: true);
                return new LeaseOutcome(LeaseStatus.Active, null, progress.Charged);
            }

            // Sleep until the next metering point or expiry, whichever is first, unless an event comes.
            var nextMeter = progress.MeteredUntil + input.Timings.MeteringInterval;
            var wakeAt = nextMeter < progress.ExpiresAt ? nextMeter : progress.ExpiresAt;
            using var stopWaiting = new CancellationTokenSource();
            var timer = context.CreateTimer(wakeAt.UtcDateTime, stopWaiting.Token);
            var winner = await Task.WhenAny(timer, extend, cancel);
            if (winner != timer)
            {
                StopWaiting(stopWaiting);
            }

            if (winner == extend)
            {
                var request = await extend;
                progress = progress with { ExpiresAt = progress.ExpiresAt + HoursToSpan(request.AdditionalHours) };
                await RecordAsync(context, new LeaseTransition(input.LeaseId, LeaseStatus.Active, ExpiresAt: progress.ExpiresAt));
                extend = context.WaitForExternalEvent<ExtendLeaseEvent>(LeaseEvents.Extend);
                continue;
            }

            if (winner == timer && wakeAt < progress.ExpiresAt)
            {
                progress = await MeterAsync(context, input, progress, wakeAt);
                await RecordAsync(context, new LeaseTransition(input.LeaseId, LeaseStatus.Active, ChargedSoFar: progress.Charged));
            }
        }

        // 4. Releasing: stop billing at the end instant (expiry exactly, or now for a release), tear down, free.
        var now2 = new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
        var endedAt = now2 < progress.ExpiresAt ? now2 : progress.ExpiresAt;
        await RecordAsync(context, new LeaseTransition(input.LeaseId, LeaseStatus.Releasing));
        progress = await MeterAsync(context, input, progress, endedAt);
        await context.CallActivityAsync<bool>(
            nameof(TeardownWorkloadActivity), new WorkloadRef(progress.Reservation.Region, input.LeaseId), Retry);
        await ReleaseAsync(context, input.LeaseId, progress.Reservation);
        await RecordAsync(context, new LeaseTransition(
            input.LeaseId, endStatus, EndedAt: endedAt, ChargedSoFar: progress.Charged));
        await WakeQueuedLeasesAsync(context, input.LeaseId, progress.Reservation.GpuModel);
        return new LeaseOutcome(endStatus, null, progress.Charged);
    }

    private static async Task<LeaseProgress> MeterAsync(
        TaskOrchestrationContext context, LeaseLifecycleInput input, LeaseProgress progress, DateTimeOffset until)
    {
        if (until <= progress.MeteredUntil)
        {
            return progress;
        }

        var charged = await context.CallActivityAsync<decimal>(
            nameof(MeterLeaseActivity),
            new MeterLeaseInput(input.LeaseId, input.TenantId, progress.PricePerHour, progress.MeteredUntil, until),
            Retry);
        return progress with { MeteredUntil = until, Charged = progress.Charged + charged };
    }

    private static Task<bool> ReleaseAsync(TaskOrchestrationContext context, string leaseId, ReservedCapacity reservation) =>
        context.CallActivityAsync<bool>(
            nameof(ReleaseCapacityActivity), new ReleaseCapacityInput(leaseId, reservation.Region, reservation.NodeId), Retry);

    private static Task<bool> RecordAsync(TaskOrchestrationContext context, LeaseTransition transition) =>
        context.CallActivityAsync<bool>(nameof(RecordLeaseTransitionActivity), transition, Retry);

    private static async Task WakeQueuedLeasesAsync(TaskOrchestrationContext context, string self, string freedModel)
    {
        var queued = await context.CallActivityAsync<IReadOnlyList<string>>(
            nameof(ListQueuedLeasesActivity), new ListQueuedLeasesInput(freedModel, QueuedLeasesToWake), Retry);
        foreach (var leaseId in queued.Where(id => id != self))
        {
            context.SendEvent(leaseId, LeaseEvents.CapacityFreed, self);
        }
    }

    /// <summary>
    /// Cancels the losing timer/event waits synchronously: CancelAsync would resume the orchestrator on a thread-pool
    /// thread, outside the durable scheduler, and the episode would end without its next actions.
    /// </summary>
#pragma warning disable CA1849 // Synchronous by design, see above.
    private static void StopWaiting(CancellationTokenSource source) => source.Cancel();
#pragma warning restore CA1849

    private static LeasePlacement ToPlacement(ReservedCapacity r) => new(r.Region, $"{r.Region}-gpu", [r.NodeId]);

    private static TimeSpan HoursToSpan(decimal hours) => TimeSpan.FromSeconds((double)Math.Round(hours * 3600m, 0));
}
