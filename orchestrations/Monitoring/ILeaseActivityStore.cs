using Aisto.Domain.Leases;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>
/// The recent lease status changes across all tenants, kept for monitoring: the dashboard's recent leases and the
/// queue waits behind the p50/p95. Recording the same change twice keeps one entry.
/// </summary>
public interface ILeaseActivityStore
{
    Task RecordAsync(LeaseActivity activity, CancellationToken cancellationToken = default);

    /// <summary>Changes at or after <paramref name="since"/>, newest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<LeaseActivity>> ListSinceAsync(DateTimeOffset since, int max, CancellationToken cancellationToken = default);
}

/// <summary>One lease entering <paramref name="Status"/> at <paramref name="At"/>; <paramref name="Region"/> is null until placed.</summary>
public sealed record LeaseActivity(
    string LeaseId,
    string TenantId,
    LeaseStatus Status,
    string? Region,
    string GpuModel,
    decimal Gpus,
    string Pool,
    DateTimeOffset RequestedAt,
    DateTimeOffset At,
    string? FailureReason);
