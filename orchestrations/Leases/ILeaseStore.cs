using Aisto.Domain.Leases;

namespace Aisto.Orchestrations.Leases;

/// <summary>Stores leases per tenant; the only writer of lease status is the lease lifecycle.</summary>
public interface ILeaseStore
{
    /// <summary>Inserts a new lease; returns false when one with this id already exists.</summary>
    Task<bool> TryCreateAsync(LeaseRecord lease, CancellationToken cancellationToken = default);

    Task<LeaseRecord?> GetAsync(string tenantId, string leaseId, CancellationToken cancellationToken = default);

    /// <summary>Finds a lease by id alone (for the lifecycle, which knows no tenant context).</summary>
    Task<LeaseRecord?> FindAsync(string leaseId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A page of a tenant's leases. A token the store cannot use throws <see cref="InvalidContinuationTokenException"/>;
    /// a stored row that cannot be read is left out of the page (and logged), so one bad row never hides the others.
    /// </summary>
    Task<LeasePage> ListAsync(
        string tenantId, LeaseStatus? status, string? continuationToken, int pageSize,
        CancellationToken cancellationToken = default);

    /// <summary>Queued leases across tenants, oldest first (queue positions, waking queued leases).</summary>
    Task<IReadOnlyList<QueuedLease>> ListQueuedAsync(int max, CancellationToken cancellationToken = default);

    /// <summary>Marks a queued lease as waiting for capacity (its first booking attempt found none).</summary>
    Task MarkWaitingAsync(string leaseId, CancellationToken cancellationToken = default);

    /// <summary>Applies <paramref name="change"/> under optimistic concurrency; retried on conflicts.</summary>
    Task<LeaseRecord> UpdateAsync(string leaseId, Func<LeaseRecord, LeaseRecord> change, CancellationToken cancellationToken = default);
}

/// <summary>A lease waiting for capacity, as the queue index holds it.</summary>
/// <param name="Waiting">True once a booking attempt found no capacity: only such leases are woken when capacity frees.</param>
/// <param name="GpuMilli">GPU demand in thousandths (wait estimates).</param>
/// <param name="DurationHours">Requested duration (wait estimates).</param>
/// <param name="Request">The whole request (class, pool, resources, region preference) for the admission walk;
/// null for a row written before queue rows carried it.</param>
public sealed record QueuedLease(
    string LeaseId,
    string TenantId,
    string GpuModel,
    string? Region,
    DateTimeOffset RequestedAt,
    bool Waiting,
    int GpuMilli = 1000,
    double DurationHours = 1,
    LeaseRequest? Request = null);

/// <summary>One page of a tenant's leases.</summary>
public sealed record LeasePage(IReadOnlyList<LeaseRecord> Items, string? ContinuationToken);
