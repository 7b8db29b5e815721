using Aisto.Domain.Scheduling.Packing;
using static Aisto.Domain.Tests.Scheduling.Build;

namespace Aisto.Domain.Tests.Scheduling;

/// <summary>The shared index machinery: soft avoidance of shapes (the reserve of idle large nodes uses it).</summary>
public sealed class ShapeIndexedPackingTests
{
    /// <summary>Prefers idle nodes (most free GPU first) but avoids idle nodes with 8 GPUs.</summary>
    private sealed class PreferIdleAvoidIdleEight(PackingCluster cluster) : ShapeIndexedPacking(cluster)
    {
        public override string Name => "test";

        protected override ShapeScore Score(NodeShape shape, in PackingRequest request) => new(-shape.TotalFreeMilli, 0);

        protected override bool Avoid(NodeShape shape, in PackingRequest request) =>
            shape.Type.GpuCount == 8 && shape.FullFreeGpus == 8;
    }

    [Fact]
    public void An_avoided_shape_is_passed_over_for_the_next_best_that_fits()
    {
        var cluster = Cluster().Node("eight", gpus: 8).Node("four", gpus: 4).Node("two", gpus: 2).ToCluster();

        var choice = new PreferIdleAvoidIdleEight(cluster).Choose(Gpus(1))!.Value;

        Assert.Equal("four", cluster.Spec(choice.Node).Name);
    }

    [Fact]
    public void An_avoided_shape_is_still_used_when_nothing_else_fits()
    {
        var cluster = Cluster().Node("eight", gpus: 8).Node("four", gpus: 4).ToCluster();

        var choice = new PreferIdleAvoidIdleEight(cluster).Choose(Gpus(6))!.Value;

        Assert.Equal("eight", cluster.Spec(choice.Node).Name);
    }
}
