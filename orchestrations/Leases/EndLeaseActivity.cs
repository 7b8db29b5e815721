using Aisto.Domain.Leases;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Incubation;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging;

namespace Aisto.Orchestrations.Leases;

/// <summary>
/// Input of <see cref="EndLeaseActivity"/>: how the lease ends and, when it held capacity, what to give back and
/// what is still to bill ([<paramref name="MeterFrom"/>, <paramref name="EndedAt"/>) at <paramref name="PricePerHour"/>).
/// </summary>
/// <param name="Metered">Whether the run asked the meter for an interval (a try of it may have billed past
/// <paramref name="MeterFrom"/>); true when absent, for inputs recorded before this field existed.</param>
public sealed record EndLeaseInput(
    string LeaseId,
    string TenantId,
    LeaseStatus Status,
    DateTimeOffset EndedAt,
    string? FailureReason,
    ReservedCapacity? Reservation,
    decimal PricePerHour,
    DateTimeOffset MeterFrom,
    decimal ChargedBefore,
    bool Metered = true);

/// <summary>What ending the lease billed in total, and the queued leases to wake for the capacity it freed.</summary>
public sealed record EndLeaseResult(decimal Charged, IReadOnlyList<string> Wake);

/// <summary>
/// Ends a lease in one step: shows it Releasing, bills the last interval, removes the workload, gives the GPUs back,
/// records the final status (or Queued again, for a preempted lease that asked to be re-queued) and lists the queued
/// leases that could use the freed model. Every step is idempotent,
/// so a retry after a crash anywhere in between finishes the same end; an ended lease is never reopened.
/// </summary>
public sealed class EndLeaseActivity(
    ILeaseStore leases,
    LeaseMeter meter,
    IRegionDirectory regions,
    IInventoryStore inventory,
    CapacityRelease release,
    IncubationGrants grants,
    LeaseAdmission admission,
    TimeProvider clock,
    ILogger<EndLeaseActivity> logger) : AistoActivity<EndLeaseInput, EndLeaseResult>
{
    /// <summary>The longest this activity waits for the lease's end instant (a durable timer fires at most ~1 s early).</summary>
    private static readonly TimeSpan MaxEarly = TimeSpan.FromSeconds(10);

    public override async Task<EndLeaseResult> ExecuteAsync(EndLeaseInput input, CancellationToken cancellationToken)
    {
        var charged = input.ChargedBefore;
        IReadOnlyList<string> wake = [];
        if (input.Reservation is { } held)
        {
            // The first try of this end claims its instant with the Releasing write (ETag-guarded); a second try of
            // the turn that asked for it, with another clock, ends where the first did.
            var claim = new LeaseTransition(input.LeaseId, LeaseStatus.Releasing, EndedAt: input.EndedAt);
            var releasing = await leases.UpdateAsync(
                input.LeaseId, lease => lease.EndedAt is null ? claim.ApplyTo(lease) : (claim with { EndedAt = null }).ApplyTo(lease), cancellationToken);
            if (releasing.EndedAt is { } recorded)
            {
                input = input with { EndedAt = recorded };
            }

            // The lifecycle ends a lease when the timer set for its end fires, which on the Azure Storage backend can be
            // a moment early: the GPUs are not given back (nor the workload stopped) before the instant the lease ends.
            var early = input.EndedAt - clock.GetUtcNow();
            if (early > TimeSpan.Zero)
            {
                await Task.Delay(early < MaxEarly ? early : MaxEarly, clock, cancellationToken);
            }

            // A lease never ends before the instant it was already billed to: the meter may have billed a moment past
            // a release (found by the fault campaign, docs/reliability.md).
            if (input.EndedAt < input.MeterFrom)
            {
                input = input with { EndedAt = input.MeterFrom };
            }

            // Once the run was metered, billed even when nothing is left to bill: the total counts whatever a try of a
            // meter billed past the result the lifecycle took. Never metered, no entry can lie past MeterFrom.
            if (input.EndedAt > input.MeterFrom || input.Metered)
            {
                var billed = await meter.ChargeToEndAsync(
                    new MeterLeaseInput(input.LeaseId, input.TenantId, input.PricePerHour, input.MeterFrom, input.EndedAt, input.ChargedBefore),
                    cancellationToken);
                charged += billed.Charged;
                if (billed.BilledUntil > input.EndedAt)
                {
                    // A duplicate meter billed past this end before the end was recorded: the lease ran until then.
                    input = input with { EndedAt = billed.BilledUntil };
                }
            }

            await regions.Get(held.Region).TeardownAsync(input.LeaseId, cancellationToken);
            await release.ReleaseAsync(new ReleaseCapacityInput(input.LeaseId, held.Region, held.NodeId), cancellationToken);
            wake = await QueuedForAsync(input.LeaseId, cancellationToken);
            if (input.Status == LeaseStatus.Queued)
            {
                // Preempted and re-queued: an incubation lease keeps this run's GPU-hours on its draw, so its final
                // settlement counts every run (the run's start is cleared when it goes back to the queue).
                await grants.RecordRequeuedRunAsync(releasing, input.EndedAt, cancellationToken);
            }
        }

        var end = input.Status == LeaseStatus.Queued
            ? new LeaseTransition(input.LeaseId, LeaseStatus.Queued, ChargedSoFar: charged)
            : new LeaseTransition(input.LeaseId, input.Status, EndedAt: input.EndedAt, ChargedSoFar: charged, FailureReason: input.FailureReason);
        var ended = await leases.UpdateAsync(input.LeaseId, end.ApplyTo, cancellationToken);
        if (input.Reservation is null && ended.Status.IsTerminal())
        {
            // Ended from the queue: the lifecycle holds no booking, but a duplicate booking attempt (delivered again
            // after a crash) may have made one before this end was written. Give back whatever the lease holds; a
            // booking made after this point is given back by ReserveCapacityActivity itself.
            foreach (var node in (await inventory.ListNodesAsync(cancellationToken)).Where(n => n.Node.Allocations.ContainsKey(input.LeaseId)))
            {
                await release.ReleaseAsync(new ReleaseCapacityInput(input.LeaseId, node.Node.Region, node.Node.NodeId), cancellationToken);
            }
        }
        if (ended.Status.IsTerminal())
        {
            // An incubation lease gives back the GPU-hours it drew but did not use (idempotent by lease id).
            await grants.ReturnUnusedAsync(ended, cancellationToken);
        }

        logger.LogInformation("Lease {LeaseId} ended {Status}, charged {Charged}", input.LeaseId, ended.Status, charged);
        return new EndLeaseResult(charged, wake);
    }

    /// <summary>
    /// The waiting leases the admission walk admits now that the capacity is free (in its order: class, age, fair
    /// share, backfill) — only those whose first booking attempt found nothing, so a lease still on its way to its
    /// first attempt is not disturbed.
    /// </summary>
    private async Task<IReadOnlyList<string>> QueuedForAsync(string self, CancellationToken cancellationToken)
    {
        var (walk, queue) = await admission.RunAsync(cancellationToken);
        return LeaseAdmission.ToWake(walk, queue, self);
    }
}
