using Aisto.Domain.Scaling;

namespace Aisto.Domain.Tests.Scaling;

/// <summary>Builds demand histories from a function of time, with seeded noise.</summary>
internal static class DemandSeries
{
    /// <summary>Monday 2024-01-01 00:00 UTC: the series start.</summary>
    public static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static List<DemandSample> Sample(
        Func<DateTimeOffset, double> demand,
        TimeSpan length,
        TimeSpan? every = null,
        double noise = 0,
        int seed = 1,
        DateTimeOffset? from = null)
    {
        var step = every ?? TimeSpan.FromMinutes(5);
        var random = new Random(seed);
        var samples = new List<DemandSample>();
        var start = from ?? Start;
        for (var at = start + step; at <= start + length; at += step)
        {
            var value = Math.Max(0, demand(at) + (noise * Gaussian(random)));
            samples.Add(new DemandSample(at, "singapore", "H100", "leasing", value, value, 0, 0, 0));
        }

        return samples;
    }

    /// <summary>Daily hump peaking at 14:00 UTC, weekends at 60 %: between ~40 and ~200 GPUs.</summary>
    public static double Seasonal(DateTimeOffset at)
    {
        var hour = at.TimeOfDay.TotalHours;
        var weekend = at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        return (40 + (160 * Math.Exp(-Math.Pow((hour - 14) / 4, 2)))) * (weekend ? 0.6 : 1.0);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
