using Aisto.Domain.Leases;

namespace Aisto.Orchestrations.Leases;

/// <summary>A change of a lease's visible state; null fields are left as they are.</summary>
public sealed record LeaseTransition(
    string LeaseId,
    LeaseStatus Status,
    LeasePlacement? Placement = null,
    DateTimeOffset? ActiveAt = null,
    DateTimeOffset? ExpiresAt = null,
    DateTimeOffset? EndedAt = null,
    decimal? PricePerHour = null,
    decimal? ChargedSoFar = null,
    string? FailureReason = null,
    DateTimeOffset? PreemptAt = null)
{
    /// <summary>The lease after this change; a lease that already ended keeps its end (a retried step cannot reopen it).</summary>
    public LeaseRecord ApplyTo(LeaseRecord lease) => lease.Status.IsTerminal() ? lease : Status == LeaseStatus.Queued
        ? lease with
        {
            // Back in the queue (re-queued after a preemption): the last run's placement and times no longer apply.
            Status = Status,
            Placement = null,
            ActiveAt = null,
            ExpiresAt = null,
            EndedAt = null,
            PreemptAt = null,
            ChargedSoFar = ChargedSoFar ?? lease.ChargedSoFar,
        }
        : lease with
        {
            Status = Status,
            Placement = Placement ?? lease.Placement,
            ActiveAt = ActiveAt ?? lease.ActiveAt,
            ExpiresAt = ExpiresAt ?? lease.ExpiresAt,
            EndedAt = EndedAt ?? lease.EndedAt,
            PricePerHour = PricePerHour ?? lease.PricePerHour,
            ChargedSoFar = ChargedSoFar ?? lease.ChargedSoFar,
            FailureReason = FailureReason ?? lease.FailureReason,
            PreemptAt = PreemptAt ?? lease.PreemptAt,
        };
}
