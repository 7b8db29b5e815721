using Aisto.Domain.Scheduling.Packing;
using CsCheck;

namespace Aisto.Domain.Tests.Scheduling;

/// <summary>Invariants of the packing engine over random clusters and request streams.</summary>
public sealed class PackingPropertyTests
{
    private static readonly string[] Models = ["A100", "H100", "L40S"];

    private static readonly Gen<PackingNodeSpec[]> GenNodes =
        Gen.Select(Gen.Int[0, 2], Gen.Int[1, 8], Gen.Int[4, 96], Gen.Int[16, 512], (model, gpus, cores, gib) => (model, gpus, cores, gib))
            .Array[1, 12]
            .Select(specs => specs.Select((s, i) => new PackingNodeSpec($"n{i}", Models[s.model], s.gpus, s.cores * 1000, s.gib * 1024L)).ToArray());

    private static readonly Gen<PackingRequest> GenRequest =
        Gen.Select(Gen.Int[0, 9], Gen.Int[1, 19], Gen.Int[0, 24], Gen.Int[0, 128], Gen.Int[0, 3], (gpus, tenths, cores, gib, model) =>
            {
                var mask = model == 3 ? 0UL : 1UL << model;
                return gpus == 9
                    ? PackingRequest.Shared(tenths * 50, cores * 1000, gib * 1024L, mask)
                    : PackingRequest.Whole(gpus, cores * 1000, gib * 1024L, mask);
            });

    private static readonly Gen<(PackingNodeSpec[] Nodes, PackingRequest[] Requests, int Policy)> GenScenario =
        Gen.Select(GenNodes, GenRequest.Array[1, 60], Gen.Int[0, PackingPolicies.Names.Count - 1]);

    private static PackingCluster ClusterOf(PackingNodeSpec[] nodes)
    {
        var catalog = new GpuModelCatalog();
        foreach (var model in Models)
        {
            catalog.Intern(model);
        }

        return new PackingCluster(nodes, catalog);
    }

    [Fact]
    public void No_policy_ever_allocates_more_GPU_CPU_or_memory_than_a_node_has() =>
        GenScenario.Sample(s =>
        {
            var cluster = ClusterOf(s.Nodes);
            var policy = PackingPolicies.Create(PackingPolicies.Names[s.Policy], cluster, WorkloadProfile.FromSample(s.Requests), seed: 1);
            var held = new List<PackingAllocation>();
            for (var i = 0; i < s.Requests.Length; i++)
            {
                if (policy.Choose(s.Requests[i]) is { } choice)
                {
                    held.Add(cluster.Allocate(choice, s.Requests[i]) ?? throw new InvalidOperationException("chosen node did not fit"));
                }

                if (i % 3 == 2 && held.Count > 0)
                {
                    cluster.Release(held[0]);
                    held.RemoveAt(0);
                }
            }

            for (var n = 0; n < cluster.NodeCount; n++)
            {
                var spec = cluster.Spec(n);
                Assert.InRange(cluster.CpuUsedMilli(n), 0, spec.CpuMilli);
                Assert.InRange(cluster.MemoryUsedMiB(n), 0, spec.MemoryMiB);
                for (var g = 0; g < spec.GpuCount; g++)
                {
                    Assert.InRange(cluster.GpuUsedMilli(n, g), 0, 1000);
                }
            }

            Assert.Equal(held.Sum(a => (long)a.TotalGpuMilli), cluster.AllocatedGpuMilli);
        }, iter: 150);

    [Fact]
    public void Every_policy_finds_a_node_exactly_when_some_node_fits() =>
        GenScenario.Sample(s =>
        {
            var cluster = ClusterOf(s.Nodes);
            var policy = PackingPolicies.Create(PackingPolicies.Names[s.Policy], cluster, WorkloadProfile.FromSample(s.Requests), seed: 1);
            foreach (var request in s.Requests)
            {
                var anyFits = Enumerable.Range(0, cluster.NodeCount).Any(n => cluster.Fits(n, request));
                var choice = policy.Choose(request);
                Assert.Equal(anyFits, choice is not null);
                if (choice is { } c)
                {
                    Assert.True(cluster.Fits(c.Node, request));
                    cluster.Allocate(c, request);
                }
            }
        }, iter: 150);

    [Fact]
    public void The_same_cluster_requests_and_seed_give_the_same_decisions() =>
        GenScenario.Sample(s =>
        {
            List<PackingChoice?> Run()
            {
                var cluster = ClusterOf(s.Nodes);
                var policy = PackingPolicies.Create(PackingPolicies.Names[s.Policy], cluster, WorkloadProfile.FromSample(s.Requests), seed: 5);
                return [.. s.Requests.Select(r => policy.Choose(r) is { } c && cluster.Allocate(c, r) is not null ? c : (PackingChoice?)null)];
            }

            Assert.Equal(Run(), Run());
        }, iter: 60);

    [Fact]
    public void Fragmentation_never_exceeds_the_free_GPU_and_lookahead_never_sees_less_than_the_paper() =>
        Gen.Select(GenNodes, GenRequest.Array[0, 30], GenRequest).Sample((nodes, placed, kind) =>
        {
            var cluster = ClusterOf(nodes);
            var policy = new BestFitPacking(cluster);
            foreach (var request in placed)
            {
                if (policy.Choose(request) is { } choice)
                {
                    cluster.Allocate(choice, request);
                }
            }

            for (var n = 0; n < cluster.NodeCount; n++)
            {
                var shape = cluster.ShapeOf(n);
                var paper = FragmentationMeasure.Of(shape, kind);
                var lookahead = FragmentationMeasure.UnusableAfterFill(shape, kind);
                Assert.InRange(paper, 0, shape.TotalFreeMilli);
                Assert.InRange(lookahead, paper, shape.TotalFreeMilli);
            }
        }, iter: 150);
}
