using Aisto.Domain.Scaling;

namespace Aisto.Domain.Tests.Scaling;

public sealed class ForecastComparisonTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    private static DemandForecast Flat(DateTimeOffset asOf, double expected, double band = 2) =>
        new(asOf, Step, ForecastMethod.Level, expected,
            [.. Enumerable.Range(1, 12).Select(i => new ForecastPoint(asOf + (Step * i), expected, expected - band, expected + band))]);

    private static DemandSample Actual(DateTimeOffset at, double gpus) => new(at, "singapore", "H100", "all", gpus, gpus, 64, 0, 0);

    [Fact]
    public void Each_actual_is_set_against_the_newest_forecast_made_one_lead_time_before_it()
    {
        var forecasts = new[] { Flat(T0, 10), Flat(T0 + Step, 20), Flat(T0 + (Step * 2), 30) };

        var comparison = ForecastComparison.Compare(forecasts, [Actual(T0 + (Step * 3), 21)], TimeSpan.FromMinutes(10));

        var point = Assert.Single(comparison.Points);
        Assert.Equal(T0 + Step, point.ForecastAsOf);   // made 10 min before; the newer one was only 5 min ahead
        Assert.Equal((21.0, 20.0, 18.0, 22.0), (point.ActualGpus, point.ExpectedGpus!.Value, point.LowerGpus!.Value, point.UpperGpus!.Value));
    }

    [Fact]
    public void Summarises_error_and_band_coverage_over_the_paired_points_only()
    {
        var actuals = new[] { Actual(T0, 99), Actual(T0 + (Step * 2), 11), Actual(T0 + (Step * 3), 14) };

        var comparison = ForecastComparison.Compare([Flat(T0, 10)], actuals, Step);

        Assert.Null(comparison.Points[0].ExpectedGpus);   // nothing was forecast for the first one
        Assert.Equal(2.5, comparison.MeanAbsoluteError);
        Assert.Equal(0.5, comparison.UpperCoverage);
    }

    [Fact]
    public void Without_forecasts_nothing_is_paired_and_nothing_is_summarised()
    {
        var comparison = ForecastComparison.Compare([], [Actual(T0, 5)], Step);

        Assert.Null(comparison.MeanAbsoluteError);
        Assert.Null(comparison.UpperCoverage);
        Assert.Equal(5.0, Assert.Single(comparison.Points).ActualGpus);
    }
}
