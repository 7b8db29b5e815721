using MathNet.Numerics.Distributions;

namespace Aisto.Sim.Autoscale;

/// <summary>
/// A deterministic synthetic demand trace with a daily and a weekly cycle, slow growth and occasional batch
/// bursts: arrivals are a non-homogeneous Poisson process (thinning), durations log-normal, GPU counts drawn
/// from a fixed mix. The same seed gives the same trace.
/// </summary>
internal static class SyntheticTrace
{
    private static readonly (double Gpus, double Weight)[] GpuMix =
        [(0.25, 0.08), (0.5, 0.10), (1, 0.44), (2, 0.16), (4, 0.13), (8, 0.09)];

    /// <summary>Relative arrival rate at <paramref name="seconds"/>: 1 at a weekday's busiest hour.</summary>
    public static double Shape(double seconds, double weeklyGrowth)
    {
        var day = seconds / 86_400;
        var hour = (day - Math.Floor(day)) * 24;
        var weekday = (int)Math.Floor(day) % 7; // day 0 is a Monday
        // Working-hours hump peaking at 14:00, over a night floor; weekends run at about half.
        var diurnal = 0.30 + (0.70 * Math.Exp(-Math.Pow((hour - 14) / 4.5, 2)));
        var weekly = weekday >= 5 ? 0.5 : 1.0;
        var growth = 1 + (weeklyGrowth * day / 7);
        return diurnal * weekly * growth;
    }

    public static List<TraceRequest> Generate(int seed, double days, double peakGpus, double weeklyGrowth = 0.03)
    {
        var random = new Random(seed);
        var meanGpus = GpuMix.Sum(m => m.Gpus * m.Weight) / GpuMix.Sum(m => m.Weight);

        // Log-normal run times, median 40 min, capped at 12 h.
        var duration = new LogNormal(Math.Log(40 * 60), 1.0, random);
        var meanDuration = Math.Exp(Math.Log(40 * 60) + 0.5);

        // Peak arrival rate (per second) that makes the busiest hour's demand about peakGpus.
        var peakRate = peakGpus / (meanDuration * meanGpus);
        var maxRate = peakRate * (1 + (weeklyGrowth * days / 7));
        var end = days * 86_400;
        var requests = new List<TraceRequest>();
        var t = 0.0;
        var nextBurst = Exponential.Sample(random, 2.0 / 86_400);
        while (true)
        {
            t += Exponential.Sample(random, maxRate);
            if (t >= end)
            {
                break;
            }

            // Batch bursts: a team submits a sweep of jobs at once, about twice a day.
            while (nextBurst < t)
            {
                var size = random.Next(8, 24);
                for (var i = 0; i < size; i++)
                {
                    requests.Add(new TraceRequest(nextBurst, Math.Min(12 * 3600, duration.Sample()), Pick(random)));
                }

                nextBurst += Exponential.Sample(random, 2.0 / 86_400);
            }

            if (random.NextDouble() * maxRate <= peakRate * Shape(t, weeklyGrowth))
            {
                requests.Add(new TraceRequest(t, Math.Min(12 * 3600, duration.Sample()), Pick(random)));
            }
        }

        requests.Sort((a, b) => a.ArrivalSeconds.CompareTo(b.ArrivalSeconds));
        return requests;
    }

    private static double Pick(Random random)
    {
        var total = GpuMix.Sum(m => m.Weight);
        var x = random.NextDouble() * total;
        foreach (var (gpus, weight) in GpuMix)
        {
            x -= weight;
            if (x <= 0)
            {
                return gpus;
            }
        }

        return GpuMix[^1].Gpus;
    }
}
