using System.Diagnostics;
using Aisto.Domain.Scheduling.Packing;
using Aisto.Sim.Trace;

namespace Aisto.Sim.Pack;

/// <summary>
/// The "workload inflation" experiment of "Beware of Fragmentation" (Weng et al., USENIX ATC '23): an empty
/// cluster receives pods sampled (with replacement, seeded) from the trace until the arrived GPU demand reaches
/// the cluster's GPU capacity; pods never leave, a pod that fits nowhere fails. The target workload of the
/// fragmentation-aware policies is the trace's own pod distribution, as in the paper.
/// </summary>
public static class InflationExperiment
{
    public const int CurveStepPercent = 5;

    public static PackResult Run(
        IReadOnlyList<PackingNodeSpec> nodes,
        IReadOnlyList<TracePod> pods,
        string policyName,
        int seed,
        Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(pods);
        if (pods.Count == 0)
        {
            throw new ArgumentException("The pod list is empty.", nameof(pods));
        }

        var cluster = new PackingCluster(nodes);
        var requests = pods.Select(p => p.ToRequest(cluster.Catalog)).ToArray();
        var profile = WorkloadProfile.FromSample(requests);
        var policy = PackingPolicies.Create(policyName, cluster, profile, seed);
        var sampler = new Random(seed);
        var total = cluster.TotalGpuMilli;
        var curve = new List<CurvePoint>();
        var nextPercent = CurveStepPercent;
        long arrived = 0;
        long failedMilli = 0;
        int arrivedPods = 0, failedPods = 0;
        var decisionTicks = new List<long>(requests.Length * 2);
        long totalTicks = 0;
        while (arrived < total)
        {
            var request = requests[sampler.Next(requests.Length)];
            arrived += request.TotalGpuMilli;
            arrivedPods++;

            var started = Stopwatch.GetTimestamp();
            var placed = policy.Choose(request) is { } choice && cluster.Allocate(choice, request) is not null;
            var ticks = Stopwatch.GetTimestamp() - started;
            decisionTicks.Add(ticks);
            totalTicks += ticks;

            if (!placed)
            {
                failedPods++;
                failedMilli += request.TotalGpuMilli;
            }

            while (nextPercent <= 100 && arrived * 100 >= total * nextPercent)
            {
                curve.Add(new CurvePoint(nextPercent / 100.0, cluster.AllocatedGpuMilli / (double)total));
                nextPercent += CurveStepPercent;
            }

            progress?.Invoke(Math.Min(1.0, arrived / (double)total));
        }

        decisionTicks.Sort();
        var p99Ticks = decisionTicks[(int)Math.Min(decisionTicks.Count - 1, Math.Ceiling(decisionTicks.Count * 0.99) - 1)];
        return new PackResult(
            policy.Name,
            seed,
            cluster.NodeCount,
            total / 1000.0,
            arrived / 1000.0,
            cluster.AllocatedGpuMilli / 1000.0,
            (total - cluster.AllocatedGpuMilli) / (double)total,
            arrivedPods,
            failedPods,
            failedMilli / 1000.0,
            arrivedPods / Math.Max(1e-9, totalTicks / (double)Stopwatch.Frequency),
            p99Ticks * 1e6 / Stopwatch.Frequency,
            curve);
    }

    /// <summary>Means of several runs of one policy (curves averaged point by point).</summary>
    public static PackSummary Summarize(IReadOnlyList<PackResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var points = runs.Min(r => r.Curve.Count);
        var curve = Enumerable.Range(0, points)
            .Select(i => new CurvePoint(runs[0].Curve[i].ArrivedShare, runs.Average(r => r.Curve[i].AllocatedShare)))
            .ToList();
        return new PackSummary(
            runs[0].Policy,
            [.. runs.Select(r => r.Seed)],
            runs.Average(r => r.TotalGpus),
            runs.Average(r => r.ArrivedGpus),
            runs.Average(r => r.AllocatedGpus),
            runs.Average(r => r.TotalGpus - r.AllocatedGpus),
            runs.Average(r => r.UnallocatedGpuShare),
            runs.Average(r => (double)r.FailedPods),
            runs.Average(r => r.DecisionsPerSecond),
            curve);
    }
}
