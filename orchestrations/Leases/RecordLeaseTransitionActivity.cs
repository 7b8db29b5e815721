using Aisto.Orchestrations.Durable;
using Microsoft.Extensions.Logging;

namespace Aisto.Orchestrations.Leases;

/// <summary>Writes a lease's new status and timestamps to the lease store (idempotent: same input, same record).</summary>
public sealed class RecordLeaseTransitionActivity(ILeaseStore leases, ILogger<RecordLeaseTransitionActivity> logger)
    : AistoActivity<LeaseTransition, bool>
{
    public override async Task<bool> ExecuteAsync(LeaseTransition input, CancellationToken cancellationToken)
    {
        var updated = await leases.UpdateAsync(input.LeaseId, input.ApplyTo, cancellationToken);
        logger.LogInformation("Lease {LeaseId} is {Status}", updated.LeaseId, updated.Status);
        return true;
    }
}
