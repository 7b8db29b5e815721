using Aisto.Domain.Leases;

namespace Aisto.Orchestrations.Leases;

/// <summary>
/// Input of <see cref="LeaseLifecycleOrchestrator"/>. Settings are captured at start so replays see the same values;
/// <see cref="State"/> carries progress across ContinueAsNew. A lease re-queued after a preemption starts again with
/// the rest of its time, queued since <see cref="QueuedSince"/>, having been billed <see cref="ChargedBefore"/> already.
/// </summary>
public sealed record LeaseLifecycleInput(
    string LeaseId,
    string TenantId,
    LeaseRequest Request,
    DateTimeOffset RequestedAt,
    LeaseTimings Timings,
    LeaseProgress? State = null,
    DateTimeOffset? QueuedSince = null,
    decimal ChargedBefore = 0m);

/// <summary>The lifecycle's time settings (from <c>Aisto:Leases</c>).</summary>
/// <param name="QueueRetryMaxInterval">The longest a queued lease waits between tries when nothing wakes it; null (an
/// input from before this setting) retries every <paramref name="QueueRetryInterval"/>.</param>
public sealed record LeaseTimings(
    TimeSpan MaxQueueTime,
    TimeSpan QueueRetryInterval,
    TimeSpan MeteringInterval,
    TimeSpan ProvisioningTimeout,
    TimeSpan ReadyPollInterval,
    TimeSpan PreemptionNotice,
    TimeSpan? QueueRetryMaxInterval = null)
{
    /// <summary>
    /// How long a queued lease waits after its <paramref name="failedTries"/>-th try found no room: the retry interval,
    /// doubled per further try up to <see cref="QueueRetryMaxInterval"/>. Freed capacity wakes the leases the admission
    /// walk lets in at once; the timer only covers capacity that appears without a wake (a node added, a DePIN task
    /// ended), so a long queue does not retry all at once every few seconds.
    /// </summary>
    public TimeSpan RetryAfter(int failedTries)
    {
        var max = QueueRetryMaxInterval is { } m && m > QueueRetryInterval ? m : QueueRetryInterval;
        var wait = QueueRetryInterval;
        for (var i = 1; i < failedTries && wait < max; i++)
        {
            wait += wait;
        }

        return wait < max ? wait : max;
    }
}

/// <summary>How far an active lease has got, carried across ContinueAsNew.</summary>
/// <param name="Metered">Whether this run asked the meter for an interval yet (then a try of it may have billed past
/// <paramref name="MeteredUntil"/>, and the end follows the ledger's chain). True when absent, which is the safe reading
/// of a progress recorded before this field existed.</param>
public sealed record LeaseProgress(
    ReservedCapacity Reservation,
    decimal PricePerHour,
    DateTimeOffset ActiveAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset MeteredUntil,
    decimal Charged,
    DateTimeOffset? PreemptAt = null,
    bool Metered = true);

/// <summary>The capacity a lease holds on one node.</summary>
public sealed record ReservedCapacity(string Region, string NodeId, string GpuModel, IReadOnlyList<int> GpuIndices, int MilliPerGpu);

/// <summary>External events a running lease reacts to.</summary>
public static class LeaseEvents
{
    public const string Extend = "ExtendLease";
    public const string Cancel = "CancelLease";
    public const string CapacityFreed = "CapacityFreed";
    public const string Preempt = "PreemptLease";
}

/// <summary>
/// Payload of <see cref="LeaseEvents.Preempt"/>: which lease the capacity is reclaimed for, and when the reclaiming
/// lease decided it (its orchestration time). A notice sent before the victim's current run began is about a run that
/// already ended (events outlive a re-queue's ContinueAsNew) and is ignored; a still-owed reclaim sends a new one.
/// </summary>
/// <param name="Notice">How long the victim may keep running (a DePIN task victim uses it; a lease uses its own).</param>
public sealed record PreemptLeaseEvent(string ForLeaseId, TimeSpan? Notice = null, DateTimeOffset? SentAt = null);

/// <summary>Payload of <see cref="LeaseEvents.Extend"/>.</summary>
public sealed record ExtendLeaseEvent(string RequestId, decimal AdditionalHours);

/// <summary>How a lease ended.</summary>
public sealed record LeaseOutcome(LeaseStatus Status, string? FailureReason, decimal Charged);
