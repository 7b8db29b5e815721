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

    Task<LeasePage> ListAsync(
        string tenantId, LeaseStatus? status, string? continuationToken, int pageSize,
        CancellationToken cancellationToken = default);

    /// <summary>Lease ids in the given status across tenants, oldest first (queue sweeps).</summary>
    Task<IReadOnlyList<LeaseRecord>> ListByStatusAsync(LeaseStatus status, int max, CancellationToken cancellationToken = default);

    /// <summary>Applies <paramref name="change"/> under optimistic concurrency; retried on conflicts.</summary>
    Task<LeaseRecord> UpdateAsync(string leaseId, Func<LeaseRecord, LeaseRecord> change, CancellationToken cancellationToken = default);
}

/// <summary>One page of a tenant's leases.</summary>
public sealed record LeasePage(IReadOnlyList<LeaseRecord> Items, string? ContinuationToken);
