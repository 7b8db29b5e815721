using Aisto.Domain.Scheduling.Packing;

namespace Aisto.Benchmarks.Scheduling;

/// <summary>
/// The placement benchmark's world: 10,000 GPU nodes (H100/A100/L40S/RTX4090, in 8-GPU and 4-GPU sizes) and 100,000 queued
/// requests drawn with a fixed seed from <see cref="TargetWorkload.Default"/>. Requests are placed in queue order
/// at steady churn: once the cluster is 90 % allocated, the oldest running request leaves before the next
/// decision, so decisions are made on a nearly full, fragmented cluster rather than an empty one.
/// </summary>
public sealed class PlacementScenario
{
    public const int NodeCount = 10_000;
    public const int RequestCount = 100_000;
    private const double ChurnThreshold = 0.90;

    private readonly Queue<PackingAllocation> _running = new();
    private PackingCluster _cluster = null!;
    private IPackingPolicy _policy = null!;

    public PlacementScenario(string policy, int seed = 2026)
    {
        Policy = policy;
        var models = new[] { "H100", "A100", "L40S", "RTX4090" };
        Nodes = [.. Enumerable.Range(0, NodeCount).Select(i => (i / models.Length) % 2 == 0
            ? new PackingNodeSpec($"node-{i:D5}", models[i % models.Length], 8, 128_000, 1_048_576)
            : new PackingNodeSpec($"node-{i:D5}", models[i % models.Length], 4, 48_000, 393_216))];
        Catalog = new GpuModelCatalog();
        foreach (var model in models)
        {
            Catalog.Intern(model);
        }

        Profile = TargetWorkload.Default.Compile(Catalog);
        var kinds = Profile.Kinds;
        var random = new Random(seed);
        Requests = new PackingRequest[RequestCount];
        for (var i = 0; i < RequestCount; i++)
        {
            var pick = random.NextInt64(Profile.TotalWeight);
            var k = 0;
            while (pick >= kinds[k].Weight)
            {
                pick -= kinds[k].Weight;
                k++;
            }

            Requests[i] = kinds[k].Request;
        }

        Reset();
    }

    public string Policy { get; }
    public PackingNodeSpec[] Nodes { get; }
    public GpuModelCatalog Catalog { get; }
    public WorkloadProfile Profile { get; }
    public PackingRequest[] Requests { get; }
    public int Placed { get; private set; }

    /// <summary>An empty cluster and a fresh policy.</summary>
    public void Reset()
    {
        _running.Clear();
        _cluster = new PackingCluster(Nodes, Catalog);
        _policy = PackingPolicies.Create(Policy, _cluster, Profile, seed: 1);
        Placed = 0;
    }

    /// <summary>One decision for queued request <paramref name="i"/> (and the departure that makes room for it).</summary>
    public bool Decide(int i)
    {
        while (_running.Count > 0 && _cluster.AllocatedGpuMilli >= ChurnThreshold * _cluster.TotalGpuMilli)
        {
            _cluster.Release(_running.Dequeue());
        }

        var request = Requests[i];
        if (_policy.Choose(request) is { } choice && _cluster.Allocate(choice, request) is { } allocation)
        {
            _running.Enqueue(allocation);
            Placed++;
            return true;
        }

        return false;
    }
}
