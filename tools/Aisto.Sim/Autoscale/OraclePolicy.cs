using System.Collections.Immutable;
using Aisto.Domain.Scaling;

namespace Aisto.Sim.Autoscale;

/// <summary>
/// Perfect foresight: the same <see cref="ScalePlanner"/> fed the trace's true future demand (minute by minute,
/// as if nothing ever waited) instead of a forecast, with no headroom, hysteresis, cooldown or step limit.
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
        ScaleInHysteresisGpus = 0,
        ScaleOutCooldown = TimeSpan.Zero,
        ScaleInCooldown = TimeSpan.Zero,
        MaxScaleOutStep = int.MaxValue,
        MaxScaleInStep = int.MaxValue,
        MaxNodes = int.MaxValue,
    };

    public IReadOnlyList<ScaleAction> Decide(FleetView view)
    {
        var window = planner.Policy.PlanningWindow;
        var minutes = (int)Math.Ceiling(window.TotalMinutes);
        var points = ImmutableArray.CreateBuilder<ForecastPoint>(minutes);
        for (var m = 1; m <= minutes; m++)
        {
            var demand = curve.PeakBetween(view.Now + ((m - 1) * 60), view.Now + (m * 60));
            points.Add(new ForecastPoint(view.At.AddMinutes(m), demand, demand, demand));
        }

        var forecast = new DemandForecast(view.At, TimeSpan.FromMinutes(1), ForecastMethod.Known, view.RequestedGpus, points.MoveToImmutable());
        var nodes = view.ReadyNodes.Select(n => new PoolNode(n.Id, n.UsedMilli / 1000.0, n.Draining)).ToImmutableArray();
        var plan = planner.Plan(new PoolState(Pool, nodes, view.ProvisioningNodes, view.RequestedGpus), forecast, view.At);
        var peak = forecast.PeakUpper(window);
        LastForecast = new ForecastPoint(view.At + window, peak, peak, peak);
        return plan.ShouldApply ? plan.Actions : [];
    }
}
