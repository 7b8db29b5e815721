namespace Aisto.Domain.Scaling;

/// <summary>
/// The regressors of the demand model at a moment: intercept, trend (days from the end of the fitted history)
/// and sine/cosine pairs of the daily and weekly cycles, phased on UTC calendar time.
/// </summary>
internal sealed record SeasonalTerms(ForecastMethod Method, DateTimeOffset Origin, int DailyHarmonics, int WeeklyHarmonics)
{
    private static readonly double DayTicks = TimeSpan.FromDays(1).Ticks;
    private static readonly double WeekTicks = TimeSpan.FromDays(7).Ticks;

    private bool HasTrend => Method >= ForecastMethod.Daily;

    private int WeeklyPairs => Enumerable.Range(1, WeeklyHarmonics).Count(k => k % 7 != 0);

    public int Count => 1 + (HasTrend ? 1 : 0) + (2 * DailyHarmonics) + (2 * WeeklyPairs);

    public void Fill(DateTimeOffset at, Span<double> row)
    {
        var j = 0;
        row[j++] = 1;
        if (HasTrend)
        {
            row[j++] = (at - Origin).Ticks / DayTicks;
        }

        var dayPhase = 2 * Math.PI * (at.UtcTicks % (long)DayTicks) / DayTicks;
        for (var k = 1; k <= DailyHarmonics; k++)
        {
            row[j++] = Math.Sin(k * dayPhase);
            row[j++] = Math.Cos(k * dayPhase);
        }

        var weekPhase = 2 * Math.PI * (at.UtcTicks % (long)WeekTicks) / WeekTicks;
        for (var k = 1; k <= WeeklyHarmonics; k++)
        {
            if (k % 7 == 0)
            {
                continue;
            }

            row[j++] = Math.Sin(k * weekPhase);
            row[j++] = Math.Cos(k * weekPhase);
        }
    }
}
