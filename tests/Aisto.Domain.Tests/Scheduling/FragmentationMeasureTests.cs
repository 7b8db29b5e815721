using Aisto.Domain.Scheduling.Packing;
using static Aisto.Domain.Tests.Scheduling.Build;

namespace Aisto.Domain.Tests.Scheduling;

/// <summary>The paper's fragment measure, case by case, and AISTO's fill lookahead.</summary>
public sealed class FragmentationMeasureTests
{
    private static NodeShape ShapeAfter(PackingCluster cluster, params (PackingChoice Choice, PackingRequest Request)[] placed)
    {
        foreach (var (choice, request) in placed)
        {
            Assert.NotNull(cluster.Allocate(choice, request));
        }

        return cluster.ShapeOf(0);
    }

    public static TheoryData<string, int, int, PackingRequest, int> Cases => new()
    {
        { "an idle node strands nothing for a kind that fits", 0, 0, Gpus(2), 0 },
        { "a kind that does not fit strands every free GPU", 0, 0, Gpus(8), 4000 },
        { "a CPU-only kind strands every free GPU", 0, 0, CpuOnly(4), 4000 },
        { "whole-GPU kinds cannot use the partly used GPU", 600, 0, Gpus(1), 400 },
        { "a share larger than a GPU's free part cannot use that GPU", 700, 0, Share(500), 300 },
        { "a share that fits the partly used GPU strands nothing", 400, 0, Share(500), 0 },
        { "a kind needing more CPU than is free strands every free GPU", 0, 15, Gpus(1, cpuCores: 4), 4000 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_fragment_a_kind_sees_on_a_four_GPU_node(string because, int usedMilliOnGpu0, int cpuCoresTaken, PackingRequest kind, int expectedMilli)
    {
        var cluster = Cluster().Node("n", gpus: 4, cpuCores: 16).ToCluster();
        var placed = new List<(PackingChoice, PackingRequest)>();
        if (usedMilliOnGpu0 > 0)
        {
            placed.Add((new PackingChoice(0, 0), Share(usedMilliOnGpu0, cpuCores: 0, memoryGiB: 0)));
        }

        if (cpuCoresTaken > 0)
        {
            placed.Add((new PackingChoice(0), CpuOnly(cpuCoresTaken, memoryGiB: 0)));
        }

        var shape = ShapeAfter(cluster, [.. placed]);

        Assert.True(FragmentationMeasure.Of(shape, kind) == expectedMilli, because);
    }

    [Fact]
    public void Fill_lookahead_counts_GPUs_the_free_CPU_could_never_feed()
    {
        // 4 idle GPUs but only 8 free cores: two 4-core single-GPU jobs fit, two GPUs would stay idle.
        var cluster = Cluster().Node("n", gpus: 4, cpuCores: 16).ToCluster();
        var shape = ShapeAfter(cluster, (new PackingChoice(0), CpuOnly(8, memoryGiB: 0)));
        var kind = Gpus(1, cpuCores: 4, memoryGiB: 0);

        Assert.Equal(0, FragmentationMeasure.Of(shape, kind));
        Assert.Equal(2000, FragmentationMeasure.UnusableAfterFill(shape, kind));
    }

    [Fact]
    public void A_node_measured_against_a_profile_weights_each_kind_by_its_frequency()
    {
        var cluster = Cluster().Node("n", gpus: 4, cpuCores: 16).ToCluster();
        var shape = ShapeAfter(cluster, (new PackingChoice(0, 0), Share(600, cpuCores: 0, memoryGiB: 0)));
        var profile = WorkloadProfile.FromSample([Gpus(1), Gpus(1), Gpus(1), Share(500)]);

        var fragmentation = new FragmentationMeasure(profile).Of(shape);

        // Gpus(1) ×3 strands the 400 left on GPU 0; Share(500) also cannot use those 400.
        Assert.Equal((3 * 400) + 400, fragmentation);
    }
}
