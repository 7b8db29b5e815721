using Aisto.Domain.Leases;

namespace Aisto.Domain.Scheduling.Pools;

/// <summary>A request waiting for admission in one region.</summary>
/// <param name="Duration">How long it will hold its resources once admitted (the lease's requested duration).</param>
public sealed record QueuedRequest(
    string Id,
    string Tenant,
    CapacityPool Pool,
    LeaseClass Class,
    ResourceAmount Demand,
    DateTimeOffset EnqueuedAt,
    TimeSpan Duration);

/// <summary>Work holding resources in a region now.</summary>
/// <param name="Borrowed">Admitted beyond its pool's guarantee, on another pool's idle quota; may be reclaimed.</param>
public sealed record RunningWork(
    string Id,
    string Tenant,
    CapacityPool Pool,
    LeaseClass Class,
    ResourceAmount Held,
    DateTimeOffset StartedAt,
    DateTimeOffset ExpectedEnd,
    bool Borrowed);

/// <summary>A region's capacity, pool quotas and what runs there: the input of an admission cycle.</summary>
public sealed record PoolSnapshot(ResourceAmount Capacity, PoolQuotas Quotas, IReadOnlyList<RunningWork> Running);
