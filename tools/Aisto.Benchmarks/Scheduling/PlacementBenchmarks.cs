using BenchmarkDotNet.Attributes;

namespace Aisto.Benchmarks.Scheduling;

/// <summary>
/// Placement decisions per second: 10,000 nodes, 100,000 queued requests placed one by one (steady churn, see
/// <see cref="PlacementScenario"/>). One invocation places the whole queue; BenchmarkDotNet divides by 100,000.
/// </summary>
[MemoryDiagnoser]
public class PlacementBenchmarks
{
    private PlacementScenario _scenario = null!;

    [Params("aisto", "fgd", "best-fit")]
    public string Policy { get; set; } = "aisto";

    [GlobalSetup]
    public void Setup() => _scenario = new PlacementScenario(Policy);

    [IterationSetup]
    public void ResetCluster() => _scenario.Reset();

    [Benchmark(OperationsPerInvoke = PlacementScenario.RequestCount)]
    public int PlaceQueue()
    {
        var placed = 0;
        for (var i = 0; i < PlacementScenario.RequestCount; i++)
        {
            placed += _scenario.Decide(i) ? 1 : 0;
        }

        return placed;
    }
}
