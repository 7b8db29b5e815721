namespace Aisto.Domain.Scaling;

/// <summary>How the <see cref="DemandForecaster"/> reads history and how rich a model it may fit.</summary>
public sealed record ForecastOptions
{
    /// <summary>Resolution of the model: samples are bucketed to this step, keeping each bucket's peak.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Older history is ignored: it costs time and a long-gone level only drags the fit.</summary>
    public TimeSpan MaxHistory { get; init; } = TimeSpan.FromDays(28);

    /// <summary>Sine/cosine pairs of the daily cycle (more harmonics = sharper daily shapes).</summary>
    public int DailyHarmonics { get; init; } = 6;

    /// <summary>Sine/cosine pairs of the weekly cycle (multiples of 7 are skipped: those are the daily cycle).</summary>
    public int WeeklyHarmonics { get; init; } = 6;

    /// <summary>Below this much history the forecast is the last value.</summary>
    public TimeSpan MinHistoryForLevel { get; init; } = TimeSpan.FromHours(1);

    /// <summary>A daily cycle (and a trend) is fitted only from this much history on.</summary>
    public TimeSpan MinHistoryForDaily { get; init; } = TimeSpan.FromDays(2);

    /// <summary>A weekly cycle is fitted only from this much history on.</summary>
    public TimeSpan MinHistoryForWeekly { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Lower edge of the band, as a quantile of the model's own errors at each horizon.</summary>
    public double LowerQuantile { get; init; } = 0.1;

    /// <summary>
    /// Band width grows with √(seasonal level) (count-like demand: busy hours vary more than quiet ones);
    /// false = one width for all levels.
    /// </summary>
    public bool ScaleBandWithLevel { get; init; } = true;

    /// <summary>Upper edge of the band; the planner provisions for this one (0.90: tuned by replay, docs/autoscaling.md).</summary>
    public double UpperQuantile { get; init; } = 0.90;

    /// <summary>Throws when the options cannot work together.</summary>
    public void Validate()
    {
        if (Step <= TimeSpan.Zero || Step > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(Step), Step, "Step must be in (0, 1 h].");
        }

        if (DailyHarmonics < 0 || WeeklyHarmonics < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DailyHarmonics), "Harmonics must not be negative.");
        }

        if (LowerQuantile is < 0 or > 1 || UpperQuantile is < 0 or > 1 || LowerQuantile > UpperQuantile)
        {
            throw new ArgumentOutOfRangeException(nameof(UpperQuantile), "Quantiles must satisfy 0 ≤ lower ≤ upper ≤ 1.");
        }

        if (MaxHistory < MinHistoryForLevel)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxHistory), "MaxHistory must cover MinHistoryForLevel.");
        }
    }
}
