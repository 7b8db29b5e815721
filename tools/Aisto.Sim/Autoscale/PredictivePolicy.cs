using System.Collections.Immutable;
using Aisto.Domain.Scaling;

namespace Aisto.Sim.Autoscale;

/// <summary>
/// Ours: the runtime's <see cref="DemandForecaster"/> and <see cref="ScalePlanner"/>, fed one demand sample per
/// tick. The model is refitted every <c>refitEvery</c> and forecasts from the latest observation at every tick.
/// </summary>
internal sealed class PredictivePolicy(
    DemandForecaster forecaster,
    ScalePlanner planner,
    TimeSpan refitEvery,
    int initialNodes) : IAutoscalePolicy
{
    private static readonly DemandSeriesKey Pool = new("replay", "any", "leasing");
    private readonly List<DemandSample> _history = [];
    private int _historyStart;
    private DemandModel? _model;
    private DateTimeOffset _fittedAt;
    private DateTimeOffset? _lastScaleOut;
    private DateTimeOffset? _lastScaleIn;

    public string Name => "predictive";

    public int InitialNodes => initialNodes;

    public ForecastPoint? LastForecast { get; private set; }

    public IReadOnlyList<ScaleAction> Decide(FleetView view)
    {
        var gpusPerNode = planner.Policy.GpusPerNode;
        _history.Add(new DemandSample(
            view.At,
            Pool.Region,
            Pool.GpuModel,
            Pool.Pool,
            view.RequestedPeakGpus,
            view.RunningGpus,
            view.ReadyCapacityGpus(gpusPerNode),
            view.PendingRequests,
            0));

        // 1. refit on the history the forecaster would read (older samples are dropped from the window)
        var oldest = view.At - forecaster.Options.MaxHistory;
        while (_historyStart < _history.Count && _history[_historyStart].At <= oldest)
        {
            _historyStart++;
        }

        if (_model is null || view.At - _fittedAt >= refitEvery)
        {
            _model = forecaster.Fit(_history.GetRange(_historyStart, _history.Count - _historyStart), view.At, planner.Policy.PlanningWindow);
            _fittedAt = view.At;
        }

        // 2. forecast from what was just observed, and plan
        var recent = _history.GetRange(Math.Max(_historyStart, _history.Count - 30), Math.Min(30, _history.Count - _historyStart));
        var forecast = _model.Forecast(forecaster.Observed(recent, view.At), view.At, planner.Policy.PlanningWindow);
        var nodes = view.ReadyNodes
            .Select(n => new PoolNode(n.Id, n.UsedMilli / 1000.0, n.Draining))
            .ToImmutableArray();
        // After scheduling, whatever still waits fits on no ready node.
        var state = new PoolState(Pool, nodes, view.ProvisioningNodes, view.RequestedGpus, _lastScaleOut, _lastScaleIn, view.PendingGpus);
        var plan = planner.Plan(state, forecast, view.At);
        LastForecast = new ForecastPoint(
            view.At + planner.Policy.PlanningWindow,
            forecast.PeakExpected(planner.Policy.PlanningWindow),
            forecast.Points.IsEmpty ? 0 : forecast.Points.Min(p => p.Lower),
            plan.ForecastGpus);

        // 3. the cooldowns run from what was actually done
        if (plan.Direction == ScaleDirection.Out)
        {
            _lastScaleOut = view.At;
        }
        else if (plan.Direction == ScaleDirection.In)
        {
            _lastScaleIn = view.At;
        }

        return plan.ShouldApply ? plan.Actions : [];
    }
}
