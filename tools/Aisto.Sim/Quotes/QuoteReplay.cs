using Aisto.Domain.Leases;
using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Quoting;

namespace Aisto.Sim.Quotes;

/// <summary>Settings of a quote-vs-observed replay: the cluster, the seeded request stream and the comparison.</summary>
/// <param name="Load">Offered GPU load as a share of capacity (arrival rate × mean GPUs × mean duration / GPUs).</param>
/// <param name="EarlyReleaseShare">Share of leases released before their requested end (at a uniform point of it):
/// the forecaster only knows requested durations, so this is the error it cannot see.</param>
/// <param name="WaitedAtLeastSeconds">Only requests that waited at least this long are compared by ratio.</param>
internal sealed record QuoteReplayOptions(
    int Seed = 1,
    int Requests = 5_000,
    int Nodes = 8,
    int GpusPerNode = 8,
    double Load = 0.9,
    double MeanDurationHours = 1.0,
    double EarlyReleaseShare = 0.0,
    double WaitedAtLeastSeconds = 60,
    WaitModel Model = WaitModel.NodeReplay);

/// <summary>One request as replayed: when it arrived, the wait quoted then, and the wait it had.</summary>
internal sealed record ReplayedRequest(string Id, int Gpus, double ArrivalSeconds, double? QuotedWaitSeconds, double ObservedWaitSeconds);

/// <summary>
/// Replays a seeded stream of whole-GPU lease requests against a simulated cluster that admits like the runtime:
/// a request that fits is booked at once, and whenever capacity frees the queued requests are tried oldest first
/// (each that fits is booked, best fit by node). At every arrival it asks <see cref="WaitForecaster"/> for the
/// quote's wait on the cluster as it is, then records the wait the request actually had.
/// </summary>
internal static class QuoteReplay
{
    private const string Model = "H100";
    private static readonly int[] GpuChoices = [1, 2, 4, 8];
    private static readonly double[] GpuWeights = [0.4, 0.3, 0.2, 0.1];

    public static IReadOnlyList<ReplayedRequest> Run(QuoteReplayOptions options, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var random = new Random(options.Seed);
        var region = new RegionInfo("sim", "Simulated", new GeoPoint(0, 0));
        var nodes = Enumerable.Range(0, options.Nodes)
            .Select(i => new NodeState($"n{i:D3}", region.Id, Model, options.GpusPerNode, options.GpusPerNode * 16_000, options.GpusPerNode * 131_072L))
            .ToArray();

        // 1. The request stream: Poisson arrivals at the offered load, GPUs 1/2/4/8, exponential durations (15 min–12 h).
        var meanGpus = GpuChoices.Zip(GpuWeights, (g, w) => g * w).Sum();
        var ratePerHour = options.Load * options.Nodes * options.GpusPerNode / (meanGpus * options.MeanDurationHours);
        var origin = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var arrivals = new List<(string Id, DateTimeOffset At, LeaseRequest Request, TimeSpan Actual)>(options.Requests);
        var at = origin;
        for (var i = 0; i < options.Requests; i++)
        {
            at += TimeSpan.FromHours(-Math.Log(1 - random.NextDouble()) / ratePerHour);
            var gpus = Pick(random);
            var hours = Math.Round(Math.Clamp(-Math.Log(1 - random.NextDouble()) * options.MeanDurationHours, 0.25, 12), 2);
            var request = new LeaseRequest(
                Model, GpuDemand.Whole(gpus), 8 * gpus, 64 * gpus, (decimal)hours, LeaseClass.OnDemand, LeasePool.Leasing,
                LeasePurpose.Training, region.Id, null, null, PreemptionAction.End, null);
            var actual = random.NextDouble() < options.EarlyReleaseShare ? request.Duration * random.NextDouble() : request.Duration;
            arrivals.Add(($"r{i:D6}", at, request, actual));
        }

        // 2. The event loop: ends before arrivals at the same instant; the queue is tried after every change.
        var ends = new PriorityQueue<string, DateTimeOffset>();
        var holderNode = new Dictionary<string, int>(StringComparer.Ordinal);
        var expectedEnds = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var queue = new List<(string Id, DateTimeOffset At, LeaseRequest Request, TimeSpan Actual)>();
        var quoted = new Dictionary<string, double?>(StringComparer.Ordinal);
        var started = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var next = 0;
        while (next < arrivals.Count || ends.Count > 0)
        {
            var arrivalNext = next < arrivals.Count && (ends.Count == 0 || arrivals[next].At < PeekEnd(ends));
            DateTimeOffset now;
            if (arrivalNext)
            {
                var arrival = arrivals[next++];
                now = arrival.At;
                var outlook = new CapacityOutlook(
                    [new RegionSnapshot(region, [.. nodes])],
                    [.. queue.Select(q => new WaitingLease(q.Id, Model, region.Id, q.Request.Gpu.TotalMilli, q.Request.Duration))],
                    expectedEnds,
                    now,
                    TimeSpan.FromHours(options.MeanDurationHours));
                quoted[arrival.Id] = WaitForecaster.ForNewRequest(outlook, outlook.Regions[0], arrival.Request, options.Model)?.TotalSeconds;
                queue.Add(arrival);
                progress?.Invoke(next / (double)arrivals.Count);
            }
            else
            {
                ends.TryDequeue(out var holder, out now);
                var n = holderNode[holder!];
                nodes[n] = nodes[n].Release(holder!);
                holderNode.Remove(holder!);
                expectedEnds.Remove(holder!);
            }

            // 3. Oldest first, each queued request that fits is booked on the fullest node it fits.
            for (var i = 0; i < queue.Count; i++)
            {
                var q = queue[i];
                var best = -1;
                for (var n = 0; n < nodes.Length; n++)
                {
                    if (nodes[n].Fits(q.Request.Resources) && (best < 0 || nodes[n].FreeGpuMilli < nodes[best].FreeGpuMilli))
                    {
                        best = n;
                    }
                }

                if (best < 0)
                {
                    continue;
                }

                nodes[best] = nodes[best].TryAllocate(q.Id, q.Request.Resources, "leasing")!.Value.Node;
                holderNode[q.Id] = best;
                expectedEnds[q.Id] = now + q.Request.Duration;
                ends.Enqueue(q.Id, now + q.Actual);
                started[q.Id] = now;
                queue.RemoveAt(i--);
            }
        }

        return [.. arrivals.Select(a => new ReplayedRequest(
            a.Id, a.Request.Gpu.WholeGpus, (a.At - origin).TotalSeconds, quoted[a.Id], (started[a.Id] - a.At).TotalSeconds))];
    }

    private static DateTimeOffset PeekEnd(PriorityQueue<string, DateTimeOffset> ends) =>
        ends.TryPeek(out _, out var at) ? at : DateTimeOffset.MaxValue;

    private static int Pick(Random random)
    {
        var x = random.NextDouble();
        for (var i = 0; i < GpuChoices.Length; i++)
        {
            x -= GpuWeights[i];
            if (x < 0)
            {
                return GpuChoices[i];
            }
        }

        return GpuChoices[^1];
    }
}
