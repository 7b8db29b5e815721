using Aisto.Domain.Scaling;
using Aisto.Sim.Autoscale;

namespace Aisto.Sim.Tests.Autoscale;

public sealed class FleetSimulatorTests
{
    private static readonly SimulationOptions Options = new();

    private static ReplayResult Replay(IReadOnlyList<TraceRequest> trace, IAutoscalePolicy policy) =>
        new FleetSimulator(trace, Options, policy).Run("test");

    [Fact]
    public void A_fleet_sized_for_the_peak_starts_everything_at_once_and_bills_every_node_throughout()
    {
        var trace = new[] { new TraceRequest(0, 3600, 8), new TraceRequest(600, 1800, 4) };

        var result = Replay(trace, new StaticPeakPolicy(2));

        Assert.Equal(0, result.SlowStarts);
        Assert.Equal(0, result.WaitP95Seconds);
        Assert.Equal(10, result.GpuHoursUsed);
        Assert.Equal(16, result.GpuHoursProvisioned);
    }

    [Fact]
    public void A_request_beyond_capacity_waits_for_a_new_node_and_counts_as_a_slow_start()
    {
        // Arrange: one node, busy; a second request arrives and the reactive policy has to ask for a node
        var trace = new[] { new TraceRequest(0, 7200, 8), new TraceRequest(120, 600, 1) };

        // Act
        var result = Replay(trace, new ReactivePolicy(gpusPerNode: 8, initialNodes: 1));

        // Assert: asked for at the tick the request arrives on (120 s), ready one 10-minute lead time later
        Assert.Equal(1, result.SlowStarts);
        Assert.Equal(600, result.WaitMaxSeconds);
        Assert.Equal(2, result.NodesAdded);
    }

    [Fact]
    public void Requests_share_a_node_by_their_fractions()
    {
        var trace = Enumerable.Range(0, 4).Select(i => new TraceRequest(i, 600, 0.5)).Append(new TraceRequest(5, 600, 6)).ToList();

        var result = Replay(trace, new StaticPeakPolicy(1));

        Assert.Equal(0, result.SlowStarts);
    }

    [Fact]
    public void The_oracle_has_capacity_ready_when_demand_arrives()
    {
        // A burst an hour in: the oracle asks for nodes a lead time ahead
        var trace = new List<TraceRequest> { new(0, 7200, 1) };
        trace.AddRange(Enumerable.Range(0, 6).Select(_ => new TraceRequest(3600, 1800, 8)));
        var curve = DemandCurve.From(trace);
        var planner = new ScalePlanner(OraclePolicy.PolicyFor(new ScalingPolicy { PlanInterval = Options.Interval }));

        var result = Replay(trace, new OraclePolicy(curve, planner, initialNodes: 1));

        Assert.Equal(0, result.SlowStarts);
        Assert.Equal(7, result.PeakNodes);
    }

    [Fact]
    public void The_demand_curve_keeps_each_minutes_peak()
    {
        var curve = DemandCurve.From([new TraceRequest(10, 20, 2), new TraceRequest(15, 100, 3), new TraceRequest(200, 60, 1)]);

        Assert.Equal(5, curve.Peak);
        Assert.Equal(5, curve.PeakBetween(0, 60));
        Assert.Equal(3, curve.PeakBetween(60, 120));
        Assert.Equal(1, curve.PeakBetween(180, 240));
    }

    [Fact]
    public void The_synthetic_trace_is_the_same_for_the_same_seed_and_busier_on_weekdays()
    {
        var first = SyntheticTrace.Generate(seed: 3, days: 7, peakGpus: 50);
        var again = SyntheticTrace.Generate(seed: 3, days: 7, peakGpus: 50);
        var weekday = first.Count(r => r.ArrivalSeconds < 86_400);
        var saturday = first.Count(r => r.ArrivalSeconds is >= 5 * 86_400 and < 6 * 86_400);

        Assert.Equal(first, again);
        Assert.True(weekday > saturday * 1.4, $"weekday {weekday} vs Saturday {saturday}");
    }

    [Fact]
    public void On_a_diurnal_trace_the_predictive_policy_starts_fewer_requests_slowly_than_the_reactive_one()
    {
        // Arrange: four days of a daily cycle; both policies start with the same fleet
        var trace = SyntheticTrace.Generate(seed: 4, days: 4, peakGpus: 120);
        var scaling = new ScalingPolicy { PlanInterval = Options.Interval, MaxNodes = 1000 };
        var predictive = new PredictivePolicy(new DemandForecaster(), new ScalePlanner(scaling), TimeSpan.FromHours(1), initialNodes: 2);

        // Act
        var ours = Replay(trace, predictive);
        var theirs = Replay(trace, new ReactivePolicy(gpusPerNode: 8, initialNodes: 2));

        // Assert
        Assert.Equal(0, ours.RefusedRemovals);
        Assert.True(ours.SlowStarts * 2 <= theirs.SlowStarts, $"predictive {ours.SlowStarts}, reactive {theirs.SlowStarts}");
    }
}
