using System.Collections.Immutable;

namespace Aisto.Domain.Scaling;

/// <summary>Which way a plan changes a pool's serving capacity (removing already drained nodes is neither).</summary>
public enum ScaleDirection
{
    Hold,
    Out,
    In,
}

/// <summary>Whether a plan is carried out or only recorded.</summary>
public enum ScaleMode
{
    Act,
    ForecastOnly,
}

/// <summary>
/// The planner's decision for one pool at <see cref="AsOf"/>: the GPUs it plans for, the nodes that takes, and
/// the actions that get there (empty when the pool is right as it is). Recorded whether or not it is applied.
/// </summary>
public sealed record ScalePlan(
    DateTimeOffset AsOf,
    DemandSeriesKey Pool,
    ScaleMode Mode,
    ScaleDirection Direction,
    double ForecastGpus,
    double TargetGpus,
    int ActiveNodes,
    int DesiredNodes,
    ImmutableArray<ScaleAction> Actions,
    string Reason)
{
    /// <summary>Whether the caller should carry the actions out.</summary>
    public bool ShouldApply => Mode == ScaleMode.Act && !Actions.IsEmpty;

    public int NodesProvisioned => Count(ScaleActionKind.Provision);

    public int NodesUncordoned => Count(ScaleActionKind.Uncordon);

    public int NodesDrained => Count(ScaleActionKind.Drain);

    public int NodesRemoved => Count(ScaleActionKind.Remove);

    private int Count(ScaleActionKind kind) => Actions.Where(a => a.Kind == kind).Sum(a => a.NodeCount);
}
