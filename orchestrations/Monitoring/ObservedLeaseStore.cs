using Aisto.Domain.Leases;
using Aisto.Orchestrations.Leases;
using Microsoft.Extensions.Logging;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>
/// Wraps the lease store so every status change — whoever writes it — is counted, its queue wait measured, and
/// recorded in the monitoring activity feed. A write that does not change the status (a retried activity) records
/// nothing. The feed entry is written behind the change (nobody waits for it); monitoring failures are logged, never
/// passed on: a lease never fails or slows down because monitoring did.
/// </summary>
public sealed class ObservedLeaseStore(ILeaseStore inner, ILeaseActivityStore activity, TimeProvider clock, ILogger<ObservedLeaseStore> logger)
    : ILeaseStore
{
    public async Task<bool> TryCreateAsync(LeaseRecord lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var created = await inner.TryCreateAsync(lease, cancellationToken);
        if (created)
        {
            Observe(null, lease);
        }

        return created;
    }

    public Task<LeaseRecord?> GetAsync(string tenantId, string leaseId, CancellationToken cancellationToken = default) =>
        inner.GetAsync(tenantId, leaseId, cancellationToken);

    public Task<LeaseRecord?> FindAsync(string leaseId, CancellationToken cancellationToken = default) =>
        inner.FindAsync(leaseId, cancellationToken);

    public Task<LeasePage> ListAsync(
        string tenantId, LeaseStatus? status, string? continuationToken, int pageSize, CancellationToken cancellationToken = default) =>
        inner.ListAsync(tenantId, status, continuationToken, pageSize, cancellationToken);

    public Task<IReadOnlyList<QueuedLease>> ListQueuedAsync(int max, CancellationToken cancellationToken = default) =>
        inner.ListQueuedAsync(max, cancellationToken);


    public Task MarkWaitingAsync(string leaseId, CancellationToken cancellationToken = default) =>
        inner.MarkWaitingAsync(leaseId, cancellationToken);

    public async Task<LeaseRecord> UpdateAsync(string leaseId, Func<LeaseRecord, LeaseRecord> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        LeaseRecord? before = null;
        var updated = await inner.UpdateAsync(
            leaseId,
            current =>
            {
                // Called again on a concurrency conflict: the last call is the one that was written.
                before = current;
                return change(current);
            },
            cancellationToken);
        if (before is null || before.Status != updated.Status)
        {
            Observe(before?.Status, updated);
        }

        return updated;
    }

    private void Observe(LeaseStatus? from, LeaseRecord lease)
    {
        var pool = lease.Request.Pool.ToString().ToLowerInvariant();
        var gpus = lease.Request.Gpu.IsFractional ? lease.Request.Gpu.FractionMilli / 1000m : lease.Request.Gpu.WholeGpus;
        AistoMetrics.LeaseTransitioned(from?.ToString(), lease.Status.ToString(), pool, lease.Request.GpuModel);
        var at = lease.Status switch
        {
            LeaseStatus.Queued => lease.RequestedAt,
            LeaseStatus.Active => lease.ActiveAt ?? clock.GetUtcNow(),
            _ when lease.Status.IsTerminal() => lease.EndedAt ?? clock.GetUtcNow(),
            _ => clock.GetUtcNow(),
        };
        if (lease.Status == LeaseStatus.Active && lease.Placement is { } placement)
        {
            AistoMetrics.LeaseWaited(placement.Region, lease.Request.GpuModel, pool, at - lease.RequestedAt);
        }

        // Written behind the lease: the lease's own path never waits for monitoring (the feed gathers changes into
        // shared requests for a while). A process that dies in that window loses feed entries, never lease state.
        _ = RecordBehindAsync(new LeaseActivity(
            lease.LeaseId, lease.TenantId, lease.Status, lease.Placement?.Region ?? lease.Request.Region, lease.Request.GpuModel,
            gpus, pool, lease.RequestedAt, at, lease.FailureReason));
    }

    private async Task RecordBehindAsync(LeaseActivity change)
    {
        try
        {
            await activity.RecordAsync(change, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not record lease {LeaseId} becoming {Status} for monitoring", change.LeaseId, change.Status);
        }
    }
}
