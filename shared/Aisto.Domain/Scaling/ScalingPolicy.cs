namespace Aisto.Domain.Scaling;

/// <summary>The rules a <see cref="ScalePlanner"/> scales one node pool by (bind from configuration).</summary>
public sealed record ScalingPolicy
{
    /// <summary>GPUs on one node of the pool.</summary>
    public int GpusPerNode { get; init; } = 8;

    public int MinNodes { get; init; }

    public int MaxNodes { get; init; } = 64;

    /// <summary>Most nodes added (uncordoned or provisioned) by one plan.</summary>
    public int MaxScaleOutStep { get; init; } = 8;

    /// <summary>Most nodes taken out of service (removed or drained) by one plan.</summary>
    public int MaxScaleInStep { get; init; } = 2;

    /// <summary>From asking for a node to it taking work.</summary>
    public TimeSpan NodeLeadTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often plans are made: a node not asked for now arrives one interval later than it could.</summary>
    public TimeSpan PlanInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>No scale-out sooner than this after the previous one.</summary>
    public TimeSpan ScaleOutCooldown { get; init; } = TimeSpan.Zero;

    /// <summary>No scale-in sooner than this after any scaling action.</summary>
    public TimeSpan ScaleInCooldown { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// GPUs provisioned above the forecast's upper band (0: the idle-node reserve buys more per GPU-hour on the replays,
    /// docs/autoscaling.md).
    /// </summary>
    public double HeadroomGpus { get; init; }

    /// <summary>
    /// Nodes kept empty in service (or on their way) beside the busy ones, so a request as large as a whole node
    /// starts at once however the running work is spread: GPU totals cannot see that free GPUs scattered over busy
    /// nodes take no whole-node request. Met by the forecast's own slack when it leaves a node empty; otherwise it
    /// adds nodes (the over-provisioning placeholder of Cluster Autoscaler setups, as a planner rule).
    /// </summary>
    public int IdleNodeReserve { get; init; } = 1;

    /// <summary>
    /// The idle-node reserve is kept only while at least this many nodes run work: in a small or quiet pool a spare
    /// node is a large share of the cost, in a busy one a small share.
    /// </summary>
    public int IdleNodeReserveFromBusyNodes { get; init; } = 5;

    /// <summary>Share of the target added on top (0.1 = 10 %).</summary>
    public double HeadroomFraction { get; init; }

    /// <summary>
    /// Scale in only when the pool would still have this many GPUs above the target afterwards, so a target that
    /// wobbles around a node boundary does not add and remove the same node over and over.
    /// </summary>
    public double ScaleInHysteresisGpus { get; init; } = 4;

    /// <summary>Plan and record, but act on nothing.</summary>
    public bool ForecastOnly { get; init; }

    /// <summary>
    /// The span the plan has to cover: a node asked for now serves from one lead time on, and the next plan comes
    /// one interval later.
    /// </summary>
    public TimeSpan PlanningWindow => NodeLeadTime + PlanInterval;

    /// <summary>Throws when the policy cannot work.</summary>
    public void Validate()
    {
        if (GpusPerNode < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(GpusPerNode), GpusPerNode, "A node has at least one GPU.");
        }

        if (MinNodes < 0 || MaxNodes < MinNodes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNodes), "Need 0 ≤ MinNodes ≤ MaxNodes.");
        }

        if (IdleNodeReserve < 0 || IdleNodeReserveFromBusyNodes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleNodeReserve), IdleNodeReserve, "The idle-node reserve must not be negative.");
        }

        if (MaxScaleOutStep < 1 || MaxScaleInStep < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxScaleOutStep), "Need MaxScaleOutStep ≥ 1 and MaxScaleInStep ≥ 0.");
        }

        if (NodeLeadTime < TimeSpan.Zero || PlanInterval <= TimeSpan.Zero || ScaleOutCooldown < TimeSpan.Zero || ScaleInCooldown < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PlanInterval), "Durations must not be negative; PlanInterval must be positive.");
        }

        if (HeadroomGpus < 0 || HeadroomFraction < 0 || ScaleInHysteresisGpus < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(HeadroomGpus), "Headroom and hysteresis must not be negative.");
        }
    }
}
