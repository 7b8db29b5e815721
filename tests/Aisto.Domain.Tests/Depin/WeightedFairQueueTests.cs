using Aisto.Domain.Depin;
using CsCheck;

namespace Aisto.Domain.Tests.Depin;

/// <summary>Weighted fair share of the DePIN pool: GPU-time in proportion to priority, and nobody starves.</summary>
public sealed class WeightedFairQueueTests
{
    private static readonly Dictionary<string, int> OneFiveTen = new() { ["low"] = 1, ["mid"] = 5, ["high"] = 10 };

    [Fact]
    public void Three_projects_of_priority_1_5_and_10_flooding_the_pool_get_GPU_time_in_proportion_within_10_percent()
    {
        // 16 GPUs; every task one GPU for a minute; ten hours of flooding.
        var simulation = new PoolSimulation(OneFiveTen, (_, _) => (1000, 60));

        simulation.Run(poolGpuMilli: 16_000, horizonSeconds: 10 * 3600);

        AssertProportional(simulation, OneFiveTen, tolerance: 0.10);
    }

    [Fact]
    public void The_priority_1_project_is_never_starved_its_longest_wait_is_bounded_by_its_share()
    {
        var simulation = new PoolSimulation(OneFiveTen, (_, _) => (1000, 60));

        simulation.Run(poolGpuMilli: 16_000, horizonSeconds: 10 * 3600);

        // Its share is 1/16 of 16 GPUs: one GPU-minute per minute, so a task every minute or two, never an hour.
        Assert.All(simulation.LongestGapSeconds.Values, gap => Assert.True(gap <= 120, $"a project waited {gap} s"));
    }

    [Fact]
    public void Proportions_hold_for_random_priorities_task_shapes_and_pool_sizes() =>
        Gen.Select(Gen.Int[1, 10].Array[3], Gen.Int[1, 4].Array[3], Gen.Int[1, 10].Array[3], Gen.Int[16, 64])
            .Sample((weights, gpus, minutes, poolGpus) =>
            {
                var priorities = new Dictionary<string, int> { ["a"] = weights[0], ["b"] = weights[1], ["c"] = weights[2] };
                var index = new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["c"] = 2 };
                var simulation = new PoolSimulation(priorities, (p, _) => (gpus[index[p]] * 1000, minutes[index[p]] * 60L));

                simulation.Run(poolGpuMilli: poolGpus * 1000, horizonSeconds: 24 * 3600);

                Assert.True(Proportional(simulation, priorities, 0.10) is null,
                    $"weights {string.Join(",", weights)}, gpus {string.Join(",", gpus)}, minutes {string.Join(",", minutes)}, pool {poolGpus}: {Proportional(simulation, priorities, 0.10)}");
                // Bounded wait: no project goes longer than the time the pool needs to serve one round of everyone's
                // largest task twice over.
                var bound = 2 * 60L * 10 * priorities.Values.Sum() / priorities.Values.Min() * 4 / poolGpus + 600;
                Assert.All(simulation.LongestGapSeconds, g => Assert.True(g.Value <= bound, $"{g.Key} waited {g.Value} s > {bound} s"));
            }, iter: 30);

    [Fact]
    public void A_project_back_from_idle_starts_at_the_virtual_time_and_cannot_spend_banked_credit()
    {
        var projects = new[] { new FairShareProject("busy", 1, 1_000_000), new FairShareProject("returning", 1, 0) };
        var queue = new[] { Task("busy", 0), Task("returning", 1), Task("returning", 2), Task("busy", 3) };

        var result = WeightedFairQueue.Dispatch(projects, queue, virtualTime: 1_000_000, _ => true);

        // Equal weights from equal passes: they alternate instead of 'returning' taking everything first.
        Assert.Equal(["busy", "returning", "busy", "returning"], result.Admitted.Select(t => t.ProjectId));
    }

    [Fact]
    public void A_task_that_does_not_fit_is_not_overtaken_on_its_GPU_model_but_other_models_go_on()
    {
        var projects = new[] { new FairShareProject("big", 10, 0), new FairShareProject("small", 1, 0), new FairShareProject("other", 1, 0) };
        var queue = new[]
        {
            Task("big", 0, model: "H100", milli: 8000), Task("small", 1, model: "H100"), Task("small", 2, model: "A100"), Task("other", 3, model: "A100"),
        };

        var result = WeightedFairQueue.Dispatch(projects, queue, 0, t => t.CostGpuMilliSeconds < 8000 * 60);

        // 'small' heads with an H100 task, which waits behind the big H100 task (its A100 task waits in its line);
        // 'other' needs A100s and goes on.
        Assert.Equal(["other-3"], result.Admitted.Select(t => t.TaskId));
    }

    [Fact]
    public void Passes_grow_by_GPU_time_over_priority()
    {
        var projects = new[] { new FairShareProject("p", 4, 0) };

        var result = WeightedFairQueue.Dispatch(projects, [Task("p", 0, milli: 500, seconds: 10)], 0, _ => true);

        Assert.Equal(500 * 10 * (WeightedFairQueue.StrideScale / 4), result.Passes["p"]);
    }

    private static FairShareTask Task(string project, long order, string model = "A100", int milli = 1000, long seconds = 60) =>
        new($"{project}-{order}", project, model, milli * seconds, order);

    private static void AssertProportional(PoolSimulation simulation, IReadOnlyDictionary<string, int> priorities, double tolerance) =>
        Assert.True(Proportional(simulation, priorities, tolerance) is null, Proportional(simulation, priorities, tolerance));

    /// <summary>Null when every project's share of the GPU-time is within the tolerance of its weight; else what is off.</summary>
    private static string? Proportional(PoolSimulation simulation, IReadOnlyDictionary<string, int> priorities, double tolerance)
    {
        var total = (double)simulation.DeliveredGpuMilliSeconds.Values.Sum();
        var weights = (double)priorities.Values.Sum();
        foreach (var (project, priority) in priorities)
        {
            var expected = priority / weights;
            var actual = simulation.DeliveredGpuMilliSeconds[project] / total;
            if (Math.Abs(actual - expected) > tolerance * expected)
            {
                return $"{project} (priority {priority}) got {actual:P2} of the GPU-time, expected {expected:P2} ± {tolerance:P0}";
            }
        }

        return null;
    }
}
