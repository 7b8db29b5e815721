namespace Aisto.Domain.Scaling;

/// <summary>One moment of demand: what happened and what had been forecast for it (null when no forecast was old enough).</summary>
public sealed record ForecastVersusActual(DateTimeOffset At, double ActualGpus, double? ExpectedGpus, double? LowerGpus, double? UpperGpus, DateTimeOffset? ForecastAsOf);

/// <summary>
/// Forecasts set against what happened: each actual (a 5-minute peak) is paired with the point for its moment from
/// the newest forecast made at least <c>ahead</c> before it — the forecast a scaling decision had to act on, one
/// node lead time earlier. Also sums up the pairs: mean absolute error and how often demand stayed within the upper
/// band. Pure.
/// </summary>
public sealed record ForecastComparison(TimeSpan Ahead, IReadOnlyList<ForecastVersusActual> Points)
{
    /// <summary>Mean |actual − expected| over the paired points; null when none are paired.</summary>
    public double? MeanAbsoluteError => Paired.Count == 0 ? null : Paired.Average(p => Math.Abs(p.ActualGpus - p.ExpectedGpus!.Value));

    /// <summary>Share of the paired points whose actual demand was at most the upper band; null when none are paired.</summary>
    public double? UpperCoverage => Paired.Count == 0 ? null : Paired.Count(p => p.ActualGpus <= p.UpperGpus!.Value + 1e-9) / (double)Paired.Count;

    private List<ForecastVersusActual> Paired => [.. Points.Where(p => p.ExpectedGpus is not null)];

    /// <summary>Pairs every actual with the newest forecast made at least <paramref name="ahead"/> before it.</summary>
    public static ForecastComparison Compare(IEnumerable<DemandForecast> forecasts, IEnumerable<DemandSample> actuals, TimeSpan ahead)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        ArgumentNullException.ThrowIfNull(actuals);
        var byAge = forecasts.Where(f => !f.Points.IsEmpty).OrderByDescending(f => f.AsOf).ToList();
        var points = new List<ForecastVersusActual>();
        foreach (var actual in actuals.OrderBy(a => a.At))
        {
            var forecast = byAge.FirstOrDefault(f => f.AsOf <= actual.At - ahead && f.Points[^1].At >= actual.At);
            var point = forecast?.Points.First(p => p.At >= actual.At);
            points.Add(new ForecastVersusActual(
                actual.At, actual.RequestedGpus, point?.Expected, point?.Lower, point?.Upper, forecast?.AsOf));
        }

        return new ForecastComparison(ahead, points);
    }
}
