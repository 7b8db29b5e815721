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

    /// <summary>How long preempted work keeps running after its notice, billed to the second it stops.</summary>
    public TimeSpan PreemptionNotice { get; set; } = TimeSpan.FromMinutes(2);

    public LeaseTimings ToTimings() =>
        new(MaxQueueTime, QueueRetryInterval, MeteringInterval, ProvisioningTimeout, ReadyPollInterval, PreemptionNotice);
}
