using Aisto.Domain.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.DurableTask;

namespace Aisto.Orchestrations.Leases;

/// <summary>
/// One lease from request to end: Queued → capacity reserved → Provisioning → Active (timer to expiry; extend and
/// cancel events; metered per second into the ledger) → Releasing → Released / Expired / Cancelled / Failed.
/// Deterministic: time comes from the context, waits are durable timers, every side effect is an activity.
/// </summary>
/// <remarks>
/// No decision depends on the turn's own clock (<c>CurrentUtcDateTime</c>). A turn can run twice: after a crash
/// between sending its messages and saving its history, the turn runs again at a later time, while the first try's
/// messages are still delivered — and their replies are matched to the second try's tasks by sequence number only.
/// A decision taken on the clock (expired or not, deadline passed or not) could then schedule another task under
/// the same number, and a reply of one activity would be read as another's (found by the lease fault campaign: an
/// end's result read as a meter's, billing from year 1). So the lifecycle decides on what its history holds: which
/// timer fired for which instant, and times that activities and events return (<see cref="ReserveCapacityResult.At"/>,
/// <see cref="PreemptLeaseEvent.SentAt"/>). The clock only sets timers and inputs that activities reconcile.
/// </remarks>
public sealed class LeaseLifecycleOrchestrator : TaskOrchestrator<LeaseLifecycleInput, LeaseOutcome>
{
    /// <summary>Active-phase turns before the history is trimmed with ContinueAsNew.</summary>
    private const int TurnsPerGeneration = 50;

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

        // 2. Provision on the booked node (the booking already shows the lease Provisioning); on failure, give back.
        //    The activity that sees the workload run marks the lease Active: its clock starts there.
        var reservation = booked.Reservation!;
        var (failure, activeAt) = await ProvisionAsync(context, input, reservation);
        if (failure is not null)
        {
            var total = await EndAsync(context, input, LeaseStatus.Failed, failure, reservation, booked.PricePerHour, Now(context), input.ChargedBefore);
            return new LeaseOutcome(LeaseStatus.Failed, failure, total);
        }

        // 3. Active.
        var progress = new LeaseProgress(
            reservation, booked.PricePerHour, activeAt, activeAt + input.Request.Duration, activeAt, input.ChargedBefore, Metered: false);
        return await RunActiveAsync(context, input, progress, cancel);
    }

    /// <summary>
    /// Tries to book until it succeeds, the deadline passes or the tenant cancels; after
    /// <see cref="TurnsPerGeneration"/> tries it asks to continue as new (keepWaiting) to trim history.
    /// </summary>
    private static async Task<(ReserveCapacityResult? Booked, bool KeepWaiting)> QueueAsync(
        TaskOrchestrationContext context, LeaseLifecycleInput input, Task<string> cancel)
    {
        var deadline = (input.QueuedSince ?? input.RequestedAt) + input.Timings.MaxQueueTime;
        if (input.QueuedSince is { } since)
        {
            // Just preempted: let the lease the capacity was reclaimed for take it first (it is being woken now). The
            // timer is set even when its time has passed (it then fires at once), so every try decides the same.
            await Task.WhenAny(context.CreateTimer((since + input.Timings.QueueRetryInterval).UtcDateTime, CancellationToken.None), cancel);
        }

        for (var turn = 0; turn < TurnsPerGeneration; turn++)
        {
            var booked = await context.CallActivityAsync<ReserveCapacityResult>(
                nameof(ReserveCapacityActivity), new ReserveCapacityInput(input.LeaseId, input.Request, input.TenantId), Retry);
            if (booked.Reservation is not null)
            {
                return (booked, false);
            }

            // The pool is owed capacity held by borrowed work elsewhere: give that work its notice (a notice it
            // already has changes nothing); it frees the capacity when the notice runs out and wakes us.
            foreach (var victim in booked.Preempting)
            {
                context.SendEvent(victim, LeaseEvents.Preempt, new PreemptLeaseEvent(input.LeaseId, input.Timings.PreemptionNotice, Now(context)));
            }

            // The admission walk let other queued leases go first: wake them so they book now, not at their next retry.
            foreach (var ahead in booked.Wake ?? [])
            {
                context.SendEvent(ahead, LeaseEvents.CapacityFreed, input.LeaseId);
            }

            var now = booked.At ?? Now(context);
            if (now >= deadline || cancel.IsCompleted)
            {
                return (null, false);
            }

            if (turn == 0 && input.State is null)
            {
                await context.CallActivityAsync<bool>(nameof(MarkLeaseWaitingActivity), input.LeaseId, Retry);
            }

            // Wait for a lease elsewhere to free capacity, the backoff timer, or a cancellation.
            var retryAt = now + input.Timings.RetryAfter(turn + 1);
            var wakeAt = retryAt < deadline ? retryAt : deadline;
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
        var total = await EndAsync(context, input, status, reason, null, 0m, Now(context), input.ChargedBefore);
        return new LeaseOutcome(status, reason, total);
    }

    /// <summary>Starts the workload and polls until it runs; returns why it failed, or when the lease became Active.</summary>
    private static async Task<(string? Failure, DateTimeOffset ActiveAt)> ProvisionAsync(
        TaskOrchestrationContext context, LeaseLifecycleInput input, ReservedCapacity reservation)
    {
        try
        {
            var spec = new WorkloadSpec(
                input.LeaseId, input.TenantId, input.Request.Pool.ToString().ToLowerInvariant(), reservation.NodeId,
                reservation.GpuModel, reservation.GpuIndices, reservation.MilliPerGpu, input.Request.Workload);
            var progress = await context.CallActivityAsync<LeaseWorkloadProgress>(
                nameof(StartLeaseWorkloadActivity),
                new StartLeaseWorkloadInput(reservation.Region, spec, input.Request.Duration, input.ChargedBefore),
                Retry);

            // The timeout counts polls, not the turn's clock (see the remarks on the class).
            var maxPolls = (int)Math.Ceiling(input.Timings.ProvisioningTimeout / input.Timings.ReadyPollInterval) + 1;
            for (var poll = 0; ; poll++)
            {
                switch (progress.State.Phase)
                {
                    case WorkloadPhase.Running:
                        return (null, progress.ActiveAt ?? Now(context));
                    case WorkloadPhase.Failed:
                        return ($"{LeaseFailureReasons.ProvisioningFailed}: {progress.State.Reason}", default);
                    case WorkloadPhase.NotFound:
                        return ($"{LeaseFailureReasons.ProvisioningFailed}: the workload disappeared", default);
                    default:
                        break;
                }

                if (poll == maxPolls)
                {
                    return (LeaseFailureReasons.ProvisioningTimeout, default);
                }

                await context.CreateTimer(context.CurrentUtcDateTime + input.Timings.ReadyPollInterval, CancellationToken.None);
                progress = await context.CallActivityAsync<LeaseWorkloadProgress>(
                    nameof(CheckLeaseWorkloadActivity),
                    new CheckLeaseWorkloadInput(reservation.Region, input.LeaseId, input.Request.Duration, input.ChargedBefore),
                    Retry);
            }
        }
        catch (TaskFailedException ex)
        {
            return ($"{LeaseFailureReasons.ProvisioningFailed}: {ex.FailureDetails.ErrorMessage}", default);
        }
    }

    private static async Task<LeaseOutcome> RunActiveAsync(
        TaskOrchestrationContext context, LeaseLifecycleInput input, LeaseProgress progress, Task<string> cancel)
    {
        var extend = context.WaitForExternalEvent<ExtendLeaseEvent>(LeaseEvents.Extend);
        var preempt = context.WaitForExternalEvent<PreemptLeaseEvent>(LeaseEvents.Preempt);
        var endStatus = LeaseStatus.Expired;
        var expired = false;
        for (var turn = 0; ; turn++)
        {
            if (cancel.IsCompleted)
            {
                endStatus = LeaseStatus.Released;
                break;
            }

            // The lease ends when the timer set for its end fires (even if it fires a moment early), never on a look
            // at the clock: see the remarks on the class. A past end's timer fires at once.
            if (expired)
            {
                endStatus = progress.PreemptAt is { } preemptAt && progress.ExpiresAt >= preemptAt ? LeaseStatus.Preempted : LeaseStatus.Expired;
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
            var winner = await Task.WhenAny(timer, extend, cancel, preempt);
            if (winner != timer)
            {
                StopWaiting(stopWaiting);
            }

            if (winner == extend)
            {
                var request = await extend;
                if (progress.PreemptAt is null)
                {
                    progress = progress with { ExpiresAt = progress.ExpiresAt + HoursToSpan(request.AdditionalHours) };
                    await RecordAsync(context, new LeaseTransition(input.LeaseId, LeaseStatus.Active, ExpiresAt: progress.ExpiresAt));
                }

                extend = context.WaitForExternalEvent<ExtendLeaseEvent>(LeaseEvents.Extend);
                continue;
            }

            if (winner == preempt)
            {
                // Notice: the lease keeps running until the notice runs out (unless it expires first), then ends.
                var notice = await preempt;
                var noticeEnds = (notice.SentAt ?? Now(context)) + input.Timings.PreemptionNotice;
                var forThisRun = notice.SentAt is not { } sent || sent >= progress.ActiveAt;
                if (forThisRun && progress.PreemptAt is null && noticeEnds < progress.ExpiresAt)
                {
                    progress = progress with { PreemptAt = noticeEnds, ExpiresAt = noticeEnds };
                    await RecordAsync(context, new LeaseTransition(
                        input.LeaseId, LeaseStatus.Active, ExpiresAt: noticeEnds, PreemptAt: noticeEnds));
                }

                preempt = context.WaitForExternalEvent<PreemptLeaseEvent>(LeaseEvents.Preempt);
                continue;
            }

            if (winner == timer && wakeAt >= progress.ExpiresAt)
            {
                expired = true;
            }
            else if (winner == timer)
            {
                // Asks for the interval up to its due time, never up to this turn's clock: a turn can run twice (a crash
                // after its messages went out, before its history was saved), each time with another clock, and both
                // tries must ask for the same thing. The activity bills no further than its own clock (a durable timer
                // on the Azure Storage backend can fire up to a second early) and says where it stopped.
                progress = await MeterAsync(context, input, progress, wakeAt);
            }
        }

        // 4. Releasing: stop billing at the end instant (expiry exactly, or now for a release, which the end activity
        //    records once: a second try of this turn, with another clock, ends where the first did), tear down, free.
        var now2 = new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
        var endedAt = expired || now2 >= progress.ExpiresAt ? progress.ExpiresAt : now2;
        if (endStatus == LeaseStatus.Preempted && input.Request.OnPreemption == PreemptionAction.Requeue)
        {
            // The tenant asked to be re-queued: give the capacity back, keep what was billed, and queue the rest of
            // the requested time as a fresh lifecycle of the same lease (it keeps its place: its request time).
            var billed = await EndAsync(
                context, input, LeaseStatus.Queued, null, progress.Reservation, progress.PricePerHour, progress.MeteredUntil, progress.Charged, endedAt, progress.Metered);
            var left = input.Request.Duration - (endedAt - progress.ActiveAt);
            context.ContinueAsNew(
                input with
                {
                    Request = input.Request with { DurationHours = Math.Round((decimal)left.TotalHours, 6) },
                    QueuedSince = endedAt,
                    ChargedBefore = billed,
                    State = null,
                },
                preserveUnprocessedEvents: true);
            return new LeaseOutcome(LeaseStatus.Queued, null, billed);
        }

        var charged = await EndAsync(
            context, input, endStatus, null, progress.Reservation, progress.PricePerHour, progress.MeteredUntil, progress.Charged, endedAt, progress.Metered);
        return new LeaseOutcome(endStatus, null, charged);
    }

    private static async Task<LeaseProgress> MeterAsync(
        TaskOrchestrationContext context, LeaseLifecycleInput input, LeaseProgress progress, DateTimeOffset until)
    {
        if (until <= progress.MeteredUntil)
        {
            return progress;
        }

        var billed = await context.CallActivityAsync<MeterLeaseResult>(
            nameof(MeterLeaseActivity),
            new MeterLeaseInput(input.LeaseId, input.TenantId, progress.PricePerHour, progress.MeteredUntil, until, progress.Charged),
            Retry);
        return progress with { MeteredUntil = billed.BilledUntil, Charged = progress.Charged + billed.Charged, Metered = true };
    }

    private static Task<bool> RecordAsync(TaskOrchestrationContext context, LeaseTransition transition) =>
        context.CallActivityAsync<bool>(nameof(RecordLeaseTransitionActivity), transition, Retry);

    /// <summary>
    /// Ends the lease in one activity (bill the rest, tear down, give back, record), then wakes the queued leases
    /// that could use the freed capacity. Returns the lease's total charge.
    /// </summary>
    private static async Task<decimal> EndAsync(
        TaskOrchestrationContext context, LeaseLifecycleInput input, LeaseStatus status, string? reason,
        ReservedCapacity? reservation, decimal pricePerHour, DateTimeOffset meterFrom, decimal chargedBefore, DateTimeOffset? endedAt = null,
        bool metered = false)
    {
        var end = new EndLeaseInput(
            input.LeaseId, input.TenantId, status, endedAt ?? Now(context), reason,
            reservation, pricePerHour, meterFrom, chargedBefore, metered);
        var ended = await context.CallActivityAsync<EndLeaseResult>(nameof(EndLeaseActivity), end, Retry);
        foreach (var leaseId in ended.Wake)
        {
            context.SendEvent(leaseId, LeaseEvents.CapacityFreed, input.LeaseId);
        }

        return ended.Charged;
    }

    /// <summary>
    /// Cancels the losing timer/event waits synchronously: CancelAsync would resume the orchestrator on a thread-pool
    /// thread, outside the durable scheduler, and the episode would end without its next actions.
    /// </summary>
#pragma warning disable CA1849 // Synchronous by design, see above.
    private static void StopWaiting(CancellationTokenSource source) => source.Cancel();
#pragma warning restore CA1849

    private static DateTimeOffset Now(TaskOrchestrationContext context) => new(context.CurrentUtcDateTime, TimeSpan.Zero);

    private static TimeSpan HoursToSpan(decimal hours) => TimeSpan.FromSeconds((double)Math.Round(hours * 3600m, 0));
}
