using Aisto.Domain.Scheduling.Packing;
using Aisto.Sim.Pack;
using Aisto.Sim.Trace;

namespace Aisto.Sim.Tests;

/// <summary>The workload-inflation experiment on a tiny cluster.</summary>
public sealed class InflationExperimentTests
{
    private static readonly PackingNodeSpec[] Nodes =
    [
        new("n1", "A", 8, 96000, 393216),
        new("n2", "A", 8, 96000, 393216),
        new("n3", "B", 2, 64000, 262144),
    ];

    private static readonly TracePod[] Pods =
    [
        new("whole", 8000, 16384, 1, 1000, []),
        new("share", 4000, 8192, 1, 300, []),
        new("big", 32000, 65536, 4, 1000, []),
        new("cpu", 8000, 8192, 0, 0, []),
    ];

    public static TheoryData<string> Policies => [.. PackingPolicies.Names];

    [Theory]
    [MemberData(nameof(Policies))]
    public void Arrivals_stop_once_demand_reaches_capacity_and_the_curve_has_a_point_every_five_percent(string policy)
    {
        var result = InflationExperiment.Run(Nodes, Pods, policy, seed: 3);

        Assert.Equal(18, result.TotalGpus);
        Assert.InRange(result.ArrivedGpus, 18, 18 + 4);
        Assert.InRange(result.AllocatedGpus, 0, result.TotalGpus);
        Assert.Equal(1 - (result.AllocatedGpus / result.TotalGpus), result.UnallocatedGpuShare, 9);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => i * 0.05), result.Curve.Select(p => p.ArrivedShare), new ToleranceComparer(1e-9));
        Assert.Equal(result.Curve.Select(p => p.AllocatedShare).Order(), result.Curve.Select(p => p.AllocatedShare));
    }

    [Fact]
    public void The_same_seed_replays_the_same_run()
    {
        var first = InflationExperiment.Run(Nodes, Pods, "aisto", seed: 9);
        var second = InflationExperiment.Run(Nodes, Pods, "aisto", seed: 9);

        Assert.Equal((first.ArrivedPods, first.FailedPods, first.AllocatedGpus), (second.ArrivedPods, second.FailedPods, second.AllocatedGpus));
        Assert.Equal(first.Curve, second.Curve);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
