namespace Aisto.Orchestrations.Leases;

/// <summary>Lease lifecycle settings (<c>Aisto:Leases</c>).</summary>
public sealed class LeaseOptions
{
    public const string Section = "Aisto:Leases";

    /// <summary>A lease still queued after this long fails with <c>NoCapacity</c>.</summary>
    public TimeSpan MaxQueueTime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often a queued lease retries when no capacity-freed event wakes it first.</summary>
    public TimeSpan QueueRetryInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an active lease's charges are written to the ledger (and once more at its end).</summary>
    public TimeSpan MeteringInterval { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan ProvisioningTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan ReadyPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a queued lease waits between tries when nothing wakes it (the interval doubles up to this).</summary>
    public TimeSpan QueueRetryMaxInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long preempted work keeps running after its notice, billed to the second it stops.</summary>
    public TimeSpan PreemptionNotice { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How old this process's copy of the lease queue and of the nodes may be when the admission walk, queue
    /// positions, wait estimates and a booking's first try read it (its own changes are in it at once; other
    /// processes' within this).
    /// </summary>
    public TimeSpan QueueViewMaxAge { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one admission walk answers queued leases' positions and waits for every request (a lease the walk
    /// does not know yet gets a new one); a long queue under many requests is then walked a few times a second.
    /// </summary>
    public TimeSpan QueuePositionMaxAge { get; set; } = TimeSpan.FromMilliseconds(250);

    public LeaseTimings ToTimings() =>
        new(MaxQueueTime, QueueRetryInterval, MeteringInterval, ProvisioningTimeout, ReadyPollInterval, PreemptionNotice, QueueRetryMaxInterval);
}
