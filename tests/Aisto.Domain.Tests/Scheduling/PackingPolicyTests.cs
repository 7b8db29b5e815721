using Aisto.Domain.Scheduling.Packing;
using static Aisto.Domain.Tests.Scheduling.Build;

namespace Aisto.Domain.Tests.Scheduling;

/// <summary>What every packing policy must do, and what each one prefers.</summary>
public sealed class PackingPolicyTests
{
    public static TheoryData<string> AllPolicies => [.. PackingPolicies.Names];

    private static IPackingPolicy Policy(string name, PackingCluster cluster, params PackingRequest[] workload) =>
        PackingPolicies.Create(name, cluster, WorkloadProfile.FromSample(workload.Length > 0 ? workload : [Gpus(1)]), seed: 7);

    [Theory]
    [MemberData(nameof(AllPolicies))]
    public void A_request_for_a_model_no_node_has_is_not_placed(string name)
    {
        var cluster = Cluster().Node("a100-1", model: "A100").ToCluster();
        var h100Only = Gpus(1) with { ModelMask = cluster.Catalog.MaskOf(["H100"]) };

        var choice = Policy(name, cluster).Choose(h100Only);

        Assert.Null(choice);
    }

    [Theory]
    [MemberData(nameof(AllPolicies))]
    public void A_request_goes_only_to_a_node_of_an_allowed_model(string name)
    {
        var cluster = Cluster().Node("a100-1", model: "A100").Node("h100-1", model: "H100").Node("l40s-1", model: "L40S").ToCluster();
        var h100OrL40S = Gpus(2) with { ModelMask = cluster.Catalog.MaskOf(["H100", "L40S"]) };

        var choice = Policy(name, cluster).Choose(h100OrL40S);

        Assert.NotNull(choice);
        Assert.Contains(cluster.Spec(choice.Value.Node).Model, new[] { "H100", "L40S" });
    }

    [Theory]
    [MemberData(nameof(AllPolicies))]
    public void A_request_needing_more_CPU_than_any_node_has_free_is_not_placed(string name)
    {
        var cluster = Cluster().Node("n1", cpuCores: 16).Node("n2", cpuCores: 32).ToCluster();

        var choice = Policy(name, cluster).Choose(Gpus(1, cpuCores: 33));

        Assert.Null(choice);
    }

    [Theory]
    [MemberData(nameof(AllPolicies))]
    public void Whole_GPUs_come_from_one_node_with_enough_idle_GPUs(string name)
    {
        var cluster = Cluster().Node("small", gpus: 2).Node("big", gpus: 8).ToCluster();

        var choice = Policy(name, cluster).Choose(Gpus(4));

        Assert.Equal("big", cluster.Spec(choice!.Value.Node).Name);
    }

    [Theory]
    [InlineData("best-fit")]
    [InlineData("fgd")]
    [InlineData("aisto")]
    public void A_share_of_a_GPU_fills_a_partly_used_GPU_before_breaking_an_idle_one(string name)
    {
        var cluster = Cluster().Node("n1", gpus: 2).Node("n2", gpus: 2).ToCluster();
        var policy = Policy(name, cluster, Share(500), Gpus(1));
        cluster.Allocate(new PackingChoice(1, SharedGpu: 1), Share(500));

        var choice = policy.Choose(Share(500))!.Value;

        Assert.Equal((1, 1), (choice.Node, choice.SharedGpu));
    }

    [Theory]
    [InlineData("best-fit")]
    [InlineData("fgd")]
    [InlineData("aisto")]
    public void A_single_GPU_leaves_the_idle_eight_GPU_node_whole_when_a_partly_used_node_has_room(string name)
    {
        var cluster = Cluster().Node("idle", gpus: 8).Node("busy", gpus: 8).ToCluster();
        var policy = Policy(name, cluster, Gpus(1), Gpus(8));
        cluster.Allocate(new PackingChoice(1), Gpus(4));

        var choice = policy.Choose(Gpus(1))!.Value;

        Assert.Equal("busy", cluster.Spec(choice.Node).Name);
    }

    [Fact]
    public void Aisto_sends_CPU_hungry_work_where_it_strands_no_GPUs_even_when_the_paper_measure_sees_a_tie()
    {
        // "lean" has 6 cores per GPU, "rich" 16. A 12-core GPU job on "lean" still lets one 6-core job fit (so the
        // paper's measure sees no change), but only two of the three GPUs left could ever be fed.
        var cluster = Cluster().Node("lean", gpus: 4, cpuCores: 24).Node("rich", gpus: 4, cpuCores: 64).ToCluster();
        var policy = Policy("aisto", cluster, Gpus(1, cpuCores: 6), Gpus(1, cpuCores: 6), Gpus(1, cpuCores: 12));

        var choice = policy.Choose(Gpus(1, cpuCores: 12))!.Value;

        Assert.Equal("rich", cluster.Spec(choice.Node).Name);
    }

    [Fact]
    public void Random_fit_with_the_same_seed_makes_the_same_choices()
    {
        static List<int> Run(int seed)
        {
            var builder = Cluster();
            for (var i = 0; i < 20; i++)
            {
                builder.Node($"n{i}");
            }

            var cluster = builder.ToCluster();
            var policy = new RandomFitPacking(cluster, seed);
            var nodes = new List<int>();
            for (var i = 0; i < 30; i++)
            {
                var choice = policy.Choose(Gpus(1))!.Value;
                cluster.Allocate(choice, Gpus(1));
                nodes.Add(choice.Node);
            }

            return nodes;
        }

        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }
}
