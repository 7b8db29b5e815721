using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Aisto.Domain.Scheduling;

namespace Aisto.Benchmarks.Scheduling;

/// <summary>
/// Per-decision latency, which BenchmarkDotNet does not report: one warm-up pass over the 100,000 queued requests,
/// then a measured pass timing every decision; prints decisions/s, p50, p99, max and allocated bytes per decision.
/// </summary>
public static class PlacementLatencyProbe
{
    public static void Run(string policy)
    {
        var scenario = new PlacementScenario(policy);
        for (var i = 0; i < PlacementScenario.RequestCount; i++)
        {
            scenario.Decide(i);
        }

        scenario.Reset();
        GC.Collect();
        var ticks = new long[PlacementScenario.RequestCount];
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < PlacementScenario.RequestCount; i++)
        {
            var started = Stopwatch.GetTimestamp();
            scenario.Decide(i);
            ticks[i] = Stopwatch.GetTimestamp() - started;
        }

        total.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Array.Sort(ticks);
        double Micro(double q) => ticks[(int)Math.Ceiling(q * ticks.Length) - 1] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"policy={policy} nodes={PlacementScenario.NodeCount} requests={PlacementScenario.RequestCount} placed={scenario.Placed} " +
            $"decisions/s={PlacementScenario.RequestCount / total.Elapsed.TotalSeconds:F0} p50={Micro(0.50):F1}us p99={Micro(0.99):F1}us " +
            $"max={Micro(1.0):F1}us allocated/decision={allocated / (double)PlacementScenario.RequestCount:F0}B"));
    }

    /// <summary>
    /// The runtime port (<see cref="FragmentationAwarePlacement"/>), which rebuilds the packing view from an
    /// immutable 10,000-node snapshot on every call: the cost of one stand-alone decision.
    /// </summary>
    public static void RunPort(int calls = 50)
    {
        var scenario = new PlacementScenario("aisto");
        var nodes = scenario.Nodes
            .Select(n => new NodeState(n.Name, "singapore", n.Model, n.GpuCount, n.CpuMilli, n.MemoryMiB))
            .ToImmutableArray();
        RegionSnapshot region = new(new Aisto.Domain.Regions.RegionInfo("singapore", "Singapore", new Aisto.Domain.Regions.GeoPoint(1.35, 103.82)), nodes);
        var placement = new FragmentationAwarePlacement();
        var request = new PlacementRequest("lease", ResourceRequest.For("H100", GpuDemand.Whole(2), 16, 128), "leasing");
        placement.Place([region], request);
        var ticks = new long[calls];
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            placement.Place([region], request);
            ticks[i] = Stopwatch.GetTimestamp() - started;
        }

        Array.Sort(ticks);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"port=FragmentationAwarePlacement.Place nodes={nodes.Length} calls={calls} p50={ticks[calls / 2] * 1e3 / Stopwatch.Frequency:F2}ms " +
            $"max={ticks[^1] * 1e3 / Stopwatch.Frequency:F2}ms"));
    }

    /// <summary>
    /// The runtime's cycle path (<see cref="PlacementCycle"/>): one view built per snapshot, then domain requests
    /// (model names, region preference) placed and booked one by one; the first 30,000 queued requests.
    /// </summary>
    public static void RunCycle(int requests = 30_000)
    {
        var scenario = new PlacementScenario("aisto");
        var nodes = scenario.Nodes
            .Select(n => new NodeState(n.Name, "singapore", n.Model, n.GpuCount, n.CpuMilli, n.MemoryMiB))
            .ToImmutableArray();
        RegionSnapshot region = new(new Aisto.Domain.Regions.RegionInfo("singapore", "Singapore", new Aisto.Domain.Regions.GeoPoint(1.35, 103.82)), nodes);
        var names = scenario.Catalog.Names;
        var queue = scenario.Requests.Take(requests).Select((r, i) => new PlacementRequest(
            $"lease-{i}",
            new ResourceRequest(
                [names[System.Numerics.BitOperations.TrailingZeroCount(r.ModelMask)]],
                r.IsFractional ? GpuDemand.Fraction(r.GpuMilli) : GpuDemand.Whole(r.GpuCount),
                r.CpuMilli,
                r.MemoryMiB),
            "leasing")).ToArray();
        var placement = new FragmentationAwarePlacement();
        var built = Stopwatch.StartNew();
        var cycle = placement.StartCycle([region]);
        cycle.Place(queue[0]);
        built.Stop();
        var ticks = new long[queue.Length - 1];
        var placed = 1;
        var total = Stopwatch.StartNew();
        for (var i = 1; i < queue.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            placed += cycle.Place(queue[i]) is null ? 0 : 1;
            ticks[i - 1] = Stopwatch.GetTimestamp() - started;
        }

        total.Stop();
        Array.Sort(ticks);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"port=PlacementCycle nodes={nodes.Length} requests={queue.Length} placed={placed} first(build)={built.Elapsed.TotalMilliseconds:F1}ms " +
            $"decisions/s={ticks.Length / total.Elapsed.TotalSeconds:F0} p50={ticks[ticks.Length / 2] * 1e6 / Stopwatch.Frequency:F1}us " +
            $"p99={ticks[(int)(ticks.Length * 0.99)] * 1e6 / Stopwatch.Frequency:F1}us"));
    }
}
