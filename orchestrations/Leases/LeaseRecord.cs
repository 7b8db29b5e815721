using Aisto.Domain.Leases;

namespace Aisto.Orchestrations.Leases;

/// <summary>Where a lease runs once capacity is reserved.</summary>
public sealed record LeasePlacement(string Region, string Cluster, IReadOnlyList<string> Nodes);

/// <summary>The stored state of one lease, as the API shows it.</summary>
/// <param name="PreemptAt">Set when the lease got a preemption notice: its capacity is reclaimed at this instant.</param>
public sealed record LeaseRecord(
    string LeaseId,
    string TenantId,
    LeaseStatus Status,
    LeaseRequest Request,
    string RequestFingerprint,
    LeasePlacement? Placement,
    DateTimeOffset RequestedAt,
    DateTimeOffset? ActiveAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? EndedAt,
    decimal PricePerHour,
    decimal ChargedSoFar,
    string? FailureReason,
    DateTimeOffset? PreemptAt = null);
