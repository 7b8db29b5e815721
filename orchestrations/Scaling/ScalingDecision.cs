using Aisto.Domain.Scaling;

namespace Aisto.Orchestrations.Scaling;

/// <summary>
/// One autoscaling run's record for one node pool: the forecast, the plan, whether it was carried out and what
/// that did. Kept per region for the API and the dashboard, and read back for the cooldowns.
/// </summary>
public sealed record ScalingDecision(
    string Region,
    string PoolId,
    string GpuModel,
    DateTimeOffset AsOf,
    DemandForecast Forecast,
    ScalePlan Plan,
    ScaleOutcome? Outcome)
{
    public bool Applied => Outcome is not null;
}

/// <summary>What applying a plan did: nodes asked for, given back, drained and put back, removals refused (busy nodes), and the pool size asked for.</summary>
public sealed record ScaleOutcome(int NodesProvisioned, IReadOnlyList<string> NodesRemoved, IReadOnlyList<string> NodesDrained, IReadOnlyList<string> NodesUncordoned, IReadOnlyList<string> RefusedRemovals, int DesiredNodes);
