using Aisto.Domain.Leases;
using Aisto.Orchestrations.Durable;
using Microsoft.Extensions.Logging;

namespace Aisto.Orchestrations.Leases;

/// <summary>
/// Writes a lease's new status and timestamps to the lease store (idempotent: same input, same record). When an
/// active lease's expiry moves (an extension or a preemption notice), its booking is told too: wait estimates, quotes
/// and backfill read when capacity frees from the booking's expected end.
/// </summary>
public sealed class RecordLeaseTransitionActivity(ILeaseStore leases, CapacityRelease bookings, ILogger<RecordLeaseTransitionActivity> logger)
    : AistoActivity<LeaseTransition, bool>
{
    public override async Task<bool> ExecuteAsync(LeaseTransition input, CancellationToken cancellationToken)
    {
        var updated = await leases.UpdateAsync(input.LeaseId, input.ApplyTo, cancellationToken);
        if (input.ExpiresAt is not null && updated is { Status: LeaseStatus.Active, ExpiresAt: { } expiresAt, Placement: { Nodes.Count: > 0 } placement })
        {
            await bookings.MoveExpectedEndAsync(new ReleaseCapacityInput(updated.LeaseId, placement.Region, placement.Nodes[0]), expiresAt, cancellationToken);
        }

        logger.LogInformation("Lease {LeaseId} is {Status}", updated.LeaseId, updated.Status);
        return true;
    }
}
