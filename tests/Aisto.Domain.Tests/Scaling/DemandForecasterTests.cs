using Aisto.Domain.Scaling;

namespace Aisto.Domain.Tests.Scaling;

public sealed class DemandForecasterTests
{
    private static readonly TimeSpan SixHours = TimeSpan.FromHours(6);

    [Fact]
    public void Daily_and_weekly_seasonality_is_forecast_within_a_few_percent_of_its_range()
    {
        // Arrange: three weeks of a known daily + weekly shape with noise
        var history = DemandSeries.Sample(DemandSeries.Seasonal, TimeSpan.FromDays(21), noise: 5);
        var asOf = history[^1].At;

        // Act
        var forecast = new DemandForecaster().Forecast(history, asOf, SixHours);

        // Assert: mean absolute error against the noiseless truth under 5 % of the ~160 GPU range
        Assert.Equal(ForecastMethod.DailyWeekly, forecast.Method);
        Assert.Equal(72, forecast.Points.Length);
        var mae = forecast.Points.Average(p => Math.Abs(p.Expected - DemandSeries.Seasonal(p.At)));
        Assert.True(mae < 8, $"mean absolute error {mae:F2} GPUs");
    }

    [Fact]
    public void The_weekend_dip_is_forecast_from_two_weeks_of_history()
    {
        // Arrange: history up to Saturday 06:00 of the third week; the next hours are a weekend morning
        var asOf = DemandSeries.Start + TimeSpan.FromDays(19.25);
        var history = DemandSeries.Sample(DemandSeries.Seasonal, asOf - DemandSeries.Start, noise: 3);

        // Act
        var forecast = new DemandForecaster().Forecast(history, asOf, TimeSpan.FromHours(12));

        // Assert: Saturday's 14:00 peak is forecast nearer its weekend height (120) than the weekday one (200);
        // the weekly harmonics are additive, so the weekend's smaller daily swing is only approximated
        var peak = forecast.Points.Single(p => p.At.Hour == 14 && p.At.Minute == 0);
        Assert.InRange(peak.Expected, 105, 155);
    }

    [Fact]
    public void A_daily_cycle_is_fitted_from_three_days_when_a_weekly_one_cannot_be()
    {
        // Arrange: three weekdays
        var history = DemandSeries.Sample(DemandSeries.Seasonal, TimeSpan.FromDays(3), noise: 3);

        // Act
        var forecast = new DemandForecaster().Forecast(history, history[^1].At, SixHours);

        // Assert
        Assert.Equal(ForecastMethod.Daily, forecast.Method);
        var mae = forecast.Points.Average(p => Math.Abs(p.Expected - DemandSeries.Seasonal(p.At)));
        Assert.True(mae < 10, $"mean absolute error {mae:F2} GPUs");
    }

    [Fact]
    public void A_flat_line_is_forecast_flat_with_a_band_of_no_width()
    {
        var history = DemandSeries.Sample(_ => 42, TimeSpan.FromDays(15));

        var forecast = new DemandForecaster().Forecast(history, history[^1].At, SixHours);

        Assert.All(forecast.Points, p =>
        {
            Assert.Equal(42, p.Expected, 6);
            Assert.Equal(42, p.Lower, 6);
            Assert.Equal(42, p.Upper, 6);
        });
    }

    [Fact]
    public void After_a_step_up_the_near_forecast_follows_the_new_level()
    {
        // Arrange: 10 GPUs for three days, then 30 for the last two hours
        var stepAt = DemandSeries.Start + TimeSpan.FromDays(3);
        var history = DemandSeries.Sample(at => at <= stepAt ? 10 : 30, TimeSpan.FromDays(3) + TimeSpan.FromHours(2));

        // Act
        var forecast = new DemandForecaster().Forecast(history, history[^1].At, TimeSpan.FromMinutes(30));

        // Assert: the next quarter hour stays at the new level, and the half hour does not fall back to the old one
        Assert.All(forecast.Points.Take(3), p => Assert.InRange(p.Expected, 27, 33));
        Assert.All(forecast.Points, p => Assert.True(p.Expected > 20, $"{p.Expected:F1} at {p.At:t}"));
    }

    [Fact]
    public void A_quiet_day_after_busy_ones_is_not_forecast_below_zero()
    {
        var stepAt = DemandSeries.Start + TimeSpan.FromDays(3);
        var history = DemandSeries.Sample(at => at <= stepAt ? 100 : 0, TimeSpan.FromDays(3) + TimeSpan.FromHours(6));

        var forecast = new DemandForecaster().Forecast(history, history[^1].At, SixHours);

        Assert.All(forecast.Points, p => Assert.True(p.Lower >= 0 && p.Expected >= 0 && p.Upper >= p.Expected));
        Assert.InRange(forecast.Points[0].Expected, 0, 5);
    }

    [Fact]
    public void Under_an_hour_of_history_the_forecast_is_the_last_value_banded_by_what_was_seen()
    {
        // One sample a minute rising 1, 2, …, 30; the forecaster sees 5-minute peaks 5, 10, …, 30
        var history = DemandSeries.Sample(at => (at - DemandSeries.Start).TotalMinutes, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1));

        var forecast = new DemandForecaster().Forecast(history, history[^1].At, TimeSpan.FromMinutes(15));

        Assert.Equal(ForecastMethod.LastValue, forecast.Method);
        Assert.All(forecast.Points, p =>
        {
            Assert.Equal(30, p.Expected);
            Assert.Equal(30, p.Upper);
            Assert.Equal(5, p.Lower);
        });
    }

    [Fact]
    public void Hours_of_history_without_a_full_day_give_a_level_forecast()
    {
        var history = DemandSeries.Sample(_ => 12, TimeSpan.FromHours(10), noise: 1);

        var forecast = new DemandForecaster().Forecast(history, history[^1].At, SixHours);

        Assert.Equal(ForecastMethod.Level, forecast.Method);
        Assert.All(forecast.Points, p => Assert.InRange(p.Expected, 10, 14));
    }

    [Fact]
    public void No_history_forecasts_no_demand()
    {
        var forecast = new DemandForecaster().Forecast([], DemandSeries.Start, SixHours);

        Assert.Equal(ForecastMethod.None, forecast.Method);
        Assert.All(forecast.Points, p => Assert.Equal(0, p.Upper));
    }

    [Fact]
    public void Samples_after_as_of_are_ignored()
    {
        // Arrange: the same past, one with a huge spike in the "future"
        var asOf = DemandSeries.Start + TimeSpan.FromDays(4);
        var past = DemandSeries.Sample(DemandSeries.Seasonal, TimeSpan.FromDays(4), noise: 2);
        var withFuture = past.Concat(DemandSeries.Sample(_ => 10_000, TimeSpan.FromHours(2), from: asOf)).ToList();
        var forecaster = new DemandForecaster();

        // Act
        var honest = forecaster.Forecast(past, asOf, SixHours);
        var peeking = forecaster.Forecast(withFuture, asOf, SixHours);

        // Assert
        Assert.Equal(honest.Points.ToArray(), peeking.Points.ToArray());
    }

    [Fact]
    public void The_band_covers_most_of_what_actually_happens()
    {
        // Arrange: a noisy seasonal series; forecast from 24 origins over the next day
        var truth = DemandSeries.Sample(DemandSeries.Seasonal, TimeSpan.FromDays(16), noise: 6, seed: 7);
        var forecaster = new DemandForecaster();
        var inside = 0;
        var total = 0;

        // Act
        for (var origin = 14 * 288; origin < 15 * 288; origin += 12)
        {
            var asOf = truth[origin].At;
            var forecast = forecaster.Forecast(truth.Take(origin + 1).ToList(), asOf, TimeSpan.FromMinutes(15));
            foreach (var point in forecast.Points)
            {
                var actual = truth.Single(s => s.At == point.At).RequestedGpus;
                inside += actual >= point.Lower && actual <= point.Upper ? 1 : 0;
                total++;
            }
        }

        // Assert: a 10 %–90 % band should hold about 80 % of outcomes
        var coverage = inside / (double)total;
        Assert.InRange(coverage, 0.65, 0.95);
    }

    [Fact]
    public void A_fitted_model_forecasts_from_a_later_observation_without_refitting()
    {
        var history = DemandSeries.Sample(DemandSeries.Seasonal, TimeSpan.FromDays(15), noise: 2);
        var forecaster = new DemandForecaster();
        var asOf = history[^1].At;
        var model = forecaster.Fit(history, asOf, TimeSpan.FromHours(1));

        var later = asOf + TimeSpan.FromMinutes(20);
        var forecast = model.Forecast(DemandSeries.Seasonal(later), later, TimeSpan.FromMinutes(30));

        Assert.Equal(later + TimeSpan.FromMinutes(5), forecast.Points[0].At);
        Assert.All(forecast.Points, p => Assert.InRange(p.Expected - DemandSeries.Seasonal(p.At), -8, 8));
    }

    [Fact]
    public void A_busy_hour_gets_a_wider_band_than_a_quiet_night()
    {
        // Arrange: count-like demand, spread growing with the level (40 GPUs at night, 200 at 14:00)
        var random = new Random(5);
        var history = DemandSeries.Sample(DemandSeries.Seasonal, TimeSpan.FromDays(15))
            .Select(s => s with { RequestedGpus = s.RequestedGpus + (Math.Sqrt(s.RequestedGpus) * (random.NextDouble() - 0.5) * 4) })
            .ToList();
        var forecaster = new DemandForecaster();
        var night = DemandSeries.Start + TimeSpan.FromDays(15) + TimeSpan.FromHours(2);
        var afternoon = DemandSeries.Start + TimeSpan.FromDays(15) + TimeSpan.FromHours(13);

        // Act
        var quiet = forecaster.Forecast(history, night, TimeSpan.FromMinutes(5)).Points[0];
        var busy = forecaster.Forecast(history, afternoon, TimeSpan.FromMinutes(5)).Points[0];

        // Assert
        Assert.True(busy.Upper - busy.Lower > 1.5 * (quiet.Upper - quiet.Lower), $"busy {busy}, quiet {quiet}");
    }
}
