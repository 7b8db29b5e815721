using System.Collections.Immutable;
using Aisto.Domain.Scaling;

namespace Aisto.Sim.Autoscale;

/// <summary>
/// Perfect foresight: the same <see cref="ScalePlanner"/> fed, instead of a forecast, the nodes the trace's real
/// future needs over the planning window (its arrivals packed as the scheduler will pack them), with no headroom,
/// hysteresis, cooldown or step limit.
/// The lower bound a real forecaster is measured against.
/// </summary>
internal sealed class OraclePolicy(DemandCurve curve, ScalePlanner planner, int initialNodes) : IAutoscalePolicy
{
    private static readonly DemandSeriesKey Pool = new("replay", "any", "leasing");

    public string Name => "oracle";

    public int InitialNodes => initialNodes;

    public ForecastPoint? LastForecast { get; private set; }

    public static ScalingPolicy PolicyFor(ScalingPolicy basis) => basis with
    {
        HeadroomGpus = 0,
        HeadroomFraction = 0,
        IdleNodeReserve = 0,
        ScaleInHysteresisGpus = 0,
        ScaleOutCooldown = TimeSpan.Zero,
        ScaleInCooldown = TimeSpan.Zero,
        MaxScaleOutStep = int.MaxValue,
        MaxScaleInStep = int.MaxValue,
        MaxNodes = int.MaxValue,
    };

    public IReadOnlyList<ScaleAction> Decide(FleetView view)
    {
        // The future, exactly: the GPUs of the nodes the real arrivals will need over the planning window, packed
        // as the scheduler packs them (fragmentation included), handed to the planner as a forecast.
        var window = planner.Policy.PlanningWindow;
        var needed = view.Foresight.NodesNeeded(view.Now, view.Now + window.TotalSeconds) * (double)planner.Policy.GpusPerNode;
        var point = new ForecastPoint(view.At + window, needed, needed, needed);
        var forecast = new DemandForecast(view.At, window, ForecastMethod.Known, view.RequestedGpus, [point]);
        var nodes = view.ReadyNodes.Select(n => new PoolNode(n.Id, n.UsedMilli / 1000.0, n.Draining)).ToImmutableArray();
        var plan = planner.Plan(new PoolState(Pool, nodes, view.ProvisioningNodes, view.RequestedGpus), forecast, view.At);
        var peak = curve.PeakBetween(view.Now, view.Now + window.TotalSeconds);
        LastForecast = new ForecastPoint(point.At, peak, peak, needed);
        return plan.ShouldApply ? plan.Actions : [];
    }
}
