using Aisto.Domain.Scaling;
using static Aisto.Domain.Tests.Scaling.PoolBuilder;

namespace Aisto.Domain.Tests.Scaling;

public sealed class ScalePlannerTests
{
    // The cases below do their arithmetic without headroom or idle-node reserve, unless they set one.
    private static readonly ScalingPolicy NoHeadroom = new() { HeadroomGpus = 0, IdleNodeReserve = 0 };
    private static readonly ScalingPolicy Reserve = NoHeadroom with { IdleNodeReserve = 1, IdleNodeReserveFromBusyNodes = 4 };

    private static ScalePlanner Planner(ScalingPolicy? policy = null) => new(policy ?? NoHeadroom);

    private static int Count(ScalePlan plan, ScaleActionKind kind) =>
        plan.Actions.Where(a => a.Kind == kind).Sum(a => a.NodeCount);

    [Fact]
    public void Scales_out_ahead_of_a_forecast_peak_to_its_upper_band_plus_headroom()
    {
        var pool = Pool().ReadyNodes(2, runningEach: 8).Build();

        var plan = Planner(NoHeadroom with { HeadroomGpus = 4 }).Plan(pool, Forecast(36), Now);

        Assert.Equal(ScaleDirection.Out, plan.Direction);
        Assert.Equal(40, plan.TargetGpus);
        Assert.Equal(5, plan.DesiredNodes);
        Assert.Equal(3, Count(plan, ScaleActionKind.Provision));
    }

    [Fact]
    public void Keeps_an_empty_node_beside_the_busy_ones_when_the_forecast_leaves_none()
    {
        var pool = Pool().ReadyNodes(4, runningEach: 7).Build();

        var plan = Planner(Reserve).Plan(pool, Forecast(30), Now);

        Assert.Equal(5, plan.DesiredNodes);
        Assert.Equal(1, Count(plan, ScaleActionKind.Provision));
    }

    [Fact]
    public void Keeps_no_empty_node_while_fewer_nodes_than_the_threshold_are_busy()
    {
        var pool = Pool().ReadyNodes(3, runningEach: 7).Build();

        var plan = Planner(Reserve).Plan(pool, Forecast(22), Now);

        Assert.Equal(3, plan.DesiredNodes);
        Assert.Equal(ScaleDirection.Hold, plan.Direction);
    }

    [Theory]
    [InlineData(1, 0)] // an empty ready node is the reserve
    [InlineData(0, 1)] // so is a node on its way
    public void An_empty_node_already_there_or_on_its_way_is_the_reserve_and_is_not_removed(int idleNodes, int provisioning)
    {
        var pool = Pool().ReadyNodes(4, runningEach: 7).ReadyNodes(idleNodes).Provisioning(provisioning).ScaledOut(TimeSpan.FromHours(1)).Build();

        var plan = Planner(Reserve).Plan(pool, Forecast(10), Now);

        Assert.Equal(5, plan.DesiredNodes);
        Assert.Empty(plan.Actions);
    }

    [Fact]
    public void Counts_nodes_already_being_provisioned()
    {
        var pool = Pool().ReadyNodes(2, runningEach: 8).Provisioning(3).Build();

        var plan = Planner().Plan(pool, Forecast(40), Now);

        Assert.Empty(plan.Actions);
        Assert.Equal(ScaleDirection.Hold, plan.Direction);
    }

    [Fact]
    public void Plans_for_what_is_queued_now_when_the_forecast_is_lower()
    {
        var pool = Pool().ReadyNodes(1, runningEach: 8).Requested(30).Build();

        var plan = Planner().Plan(pool, Forecast(4), Now);

        Assert.Equal(4, plan.DesiredNodes);
        Assert.Equal(3, Count(plan, ScaleActionKind.Provision));
    }

    [Fact]
    public void Adds_no_more_nodes_at_once_than_the_maximum_step()
    {
        var pool = Pool().Build();

        var plan = Planner(NoHeadroom with { MaxScaleOutStep = 3 }).Plan(pool, Forecast(200), Now);

        Assert.Equal(3, Count(plan, ScaleActionKind.Provision));
    }

    [Fact]
    public void Never_plans_beyond_the_maximum_nodes_for_forecast_demand()
    {
        var pool = Pool().ReadyNodes(2).Build();

        var plan = Planner(NoHeadroom with { MaxNodes = 4 }).Plan(pool, Forecast(200), Now);

        Assert.Equal(4, plan.DesiredNodes);
        Assert.Equal(2, Count(plan, ScaleActionKind.Provision));
    }

    [Fact]
    public void Keeps_the_minimum_nodes_when_there_is_no_demand()
    {
        var pool = Pool().ReadyNodes(3).Build();

        var plan = Planner(NoHeadroom with { MinNodes = 2, MaxScaleInStep = 5 }).Plan(pool, Forecast(0), Now);

        Assert.Equal(2, plan.DesiredNodes);
        Assert.Equal(1, Count(plan, ScaleActionKind.Remove));
    }

    [Fact]
    public void Running_work_is_never_planned_away_even_above_the_maximum()
    {
        var pool = Pool().ReadyNodes(5, runningEach: 8).Build();

        var plan = Planner(NoHeadroom with { MaxNodes = 2 }).Plan(pool, Forecast(0), Now);

        Assert.Equal(5, plan.DesiredNodes);
        Assert.Equal(0, Count(plan, ScaleActionKind.Remove));
    }

    [Fact]
    public void Scale_in_waits_for_the_cooldown_after_a_scale_out()
    {
        var pool = Pool().ReadyNodes(4).ScaledOut(TimeSpan.FromMinutes(3)).Build();

        var plan = Planner(NoHeadroom with { ScaleInCooldown = TimeSpan.FromMinutes(10) }).Plan(pool, Forecast(0), Now);

        Assert.Empty(plan.Actions);
        Assert.Contains("cooldown", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Scale_in_resumes_once_the_cooldown_has_passed()
    {
        var pool = Pool().ReadyNodes(4).ScaledOut(TimeSpan.FromMinutes(10)).ScaledIn(TimeSpan.FromMinutes(11)).Build();

        var plan = Planner(NoHeadroom with { ScaleInCooldown = TimeSpan.FromMinutes(10) }).Plan(pool, Forecast(0), Now);

        Assert.Equal(ScaleDirection.In, plan.Direction);
    }

    [Fact]
    public void Scale_out_waits_for_its_own_cooldown()
    {
        var pool = Pool().ReadyNodes(1).ScaledOut(TimeSpan.FromMinutes(1)).Build();

        var plan = Planner(NoHeadroom with { ScaleOutCooldown = TimeSpan.FromMinutes(2) }).Plan(pool, Forecast(30), Now);

        Assert.Empty(plan.Actions);
    }

    [Fact]
    public void A_target_just_below_a_node_boundary_does_not_remove_a_node_within_the_hysteresis()
    {
        // 3 nodes = 24 GPUs; the target of 15 needs 2, but 15 + 4 hysteresis GPUs still needs 3
        var pool = Pool().ReadyNodes(3).Build();

        var plan = Planner(NoHeadroom with { ScaleInHysteresisGpus = 4 }).Plan(pool, Forecast(15), Now);

        Assert.Equal(2, plan.DesiredNodes);
        Assert.Empty(plan.Actions);
        Assert.Contains("hysteresis", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_well_below_the_boundary_removes_the_node()
    {
        var pool = Pool().ReadyNodes(3).Build();

        var plan = Planner(NoHeadroom with { ScaleInHysteresisGpus = 4 }).Plan(pool, Forecast(11), Now);

        Assert.Equal(1, Count(plan, ScaleActionKind.Remove));
    }

    [Fact]
    public void Takes_no_more_nodes_out_at_once_than_the_scale_in_step()
    {
        var pool = Pool().ReadyNodes(10).Build();

        var plan = Planner(NoHeadroom with { MaxScaleInStep = 2 }).Plan(pool, Forecast(0), Now);

        Assert.Equal(2, Count(plan, ScaleActionKind.Remove));
    }

    [Fact]
    public void Scale_in_removes_idle_nodes_first_and_drains_busy_ones_instead_of_removing_them()
    {
        var pool = Pool().Ready("busy-a", running: 2).Ready("idle-b").Ready("busy-c", running: 1).Ready("full-d", running: 8).Build();

        // 11 running GPUs need 2 nodes: two of the four go, the idle one and then the least loaded
        var plan = Planner(NoHeadroom with { MaxScaleInStep = 3, ScaleInHysteresisGpus = 0 }).Plan(pool, Forecast(8), Now);

        Assert.Equal(2, plan.DesiredNodes);
        var removed = Assert.Single(plan.Actions, a => a.Kind == ScaleActionKind.Remove);
        Assert.Equal(["idle-b"], removed.NodeIds.ToArray());
        var drained = Assert.Single(plan.Actions, a => a.Kind == ScaleActionKind.Drain);
        Assert.Equal(["busy-c"], drained.NodeIds.ToArray());
    }

    [Fact]
    public void Drained_nodes_are_removed_once_empty_and_kept_while_busy()
    {
        var pool = Pool().ReadyNodes(1, runningEach: 8).Draining("d-empty").Draining("d-busy", running: 3).Build();

        var plan = Planner().Plan(pool, Forecast(8), Now);

        var removed = Assert.Single(plan.Actions, a => a.Kind == ScaleActionKind.Remove);
        Assert.Equal(["d-empty"], removed.NodeIds.ToArray());
    }

    [Fact]
    public void Draining_nodes_are_put_back_in_service_before_new_ones_are_asked_for()
    {
        var pool = Pool().ReadyNodes(1, runningEach: 8).Draining("d1", running: 4).Build();

        var plan = Planner().Plan(pool, Forecast(24), Now);

        var uncordoned = Assert.Single(plan.Actions, a => a.Kind == ScaleActionKind.Uncordon);
        Assert.Equal(["d1"], uncordoned.NodeIds.ToArray());
        Assert.Equal(1, Count(plan, ScaleActionKind.Provision));
    }

    [Fact]
    public void Forecast_only_mode_records_the_decision_without_asking_to_apply_it()
    {
        var pool = Pool().ReadyNodes(1).Build();

        var plan = Planner(NoHeadroom with { ForecastOnly = true }).Plan(pool, Forecast(40), Now);

        Assert.Equal(ScaleMode.ForecastOnly, plan.Mode);
        Assert.Equal(4, Count(plan, ScaleActionKind.Provision));
        Assert.False(plan.ShouldApply);
    }

    [Fact]
    public void Without_a_forecast_the_pool_follows_current_demand()
    {
        var pool = Pool().ReadyNodes(1, runningEach: 8).Requested(20).Build();

        var plan = Planner().Plan(pool, forecast: null, Now);

        Assert.Equal(3, plan.DesiredNodes);
    }

    [Fact]
    public void Only_the_planning_window_of_the_forecast_counts()
    {
        // A peak two hours out is not provisioned now: it can still be met in time later
        var points = Forecast(8).Points.Select(p => p.At > Now.AddMinutes(30) ? p with { Expected = 80, Upper = 80 } : p).ToList();
        var forecast = Forecast(8) with { Points = [.. points] };
        var pool = Pool().ReadyNodes(1, runningEach: 8).Build();

        var plan = Planner().Plan(pool, forecast, Now);

        Assert.Equal(1, plan.DesiredNodes);
    }

    [Fact]
    public void Queued_work_that_fits_on_no_node_gets_a_node_even_when_free_gpus_add_up()
    {
        // 3 nodes with 5 GPUs busy each: 9 GPUs free in total, but not 8 on any one node
        var pool = Pool().ReadyNodes(3, runningEach: 5).Requested(23).Unplaceable(8).Build();

        var plan = Planner().Plan(pool, Forecast(23), Now);

        Assert.Equal(4, plan.DesiredNodes);
        Assert.Equal(1, Count(plan, ScaleActionKind.Provision));
    }

    [Fact]
    public void Queued_work_waits_for_nodes_already_on_their_way_instead_of_asking_again()
    {
        var pool = Pool().ReadyNodes(3, runningEach: 5).Provisioning(1).Requested(23).Unplaceable(8).Build();

        var plan = Planner().Plan(pool, Forecast(23), Now);

        Assert.Empty(plan.Actions);
    }
}
