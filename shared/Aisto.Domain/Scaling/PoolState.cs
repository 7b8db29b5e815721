using System.Collections.Immutable;

namespace Aisto.Domain.Scaling;

/// <summary>
/// One node pool at the moment of planning: its ready nodes, the nodes still being provisioned, what is asked of
/// it now (running + queued GPUs), the queued GPUs that fit on no ready node (too big for any node's free room,
/// however many GPUs are free in total) and when it last scaled (for the cooldowns).
/// </summary>
public sealed record PoolState(
    DemandSeriesKey Pool,
    ImmutableArray<PoolNode> Nodes,
    int ProvisioningNodes,
    double RequestedGpus,
    DateTimeOffset? LastScaleOutAt = null,
    DateTimeOffset? LastScaleInAt = null,
    double UnplaceableGpus = 0)
{
    /// <summary>GPUs held by running work, on draining nodes too.</summary>
    public double RunningGpus => Nodes.Sum(n => n.RunningGpus);

    /// <summary>Nodes that take new work or soon will: ready and not draining, plus those being provisioned.</summary>
    public int ActiveNodes => Nodes.Count(n => !n.Draining) + ProvisioningNodes;
}
