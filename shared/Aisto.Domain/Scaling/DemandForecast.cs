using System.Collections.Immutable;

namespace Aisto.Domain.Scaling;

/// <summary>
/// Demand forecast for one series from <see cref="AsOf"/> on: one point per step (the first one step after
/// <see cref="AsOf"/>), each with its band.
/// </summary>
public sealed record DemandForecast(
    DateTimeOffset AsOf,
    TimeSpan Step,
    ForecastMethod Method,
    double Observed,
    ImmutableArray<ForecastPoint> Points)
{
    /// <summary>
    /// The highest upper band of the points that cover (<see cref="AsOf"/>, <see cref="AsOf"/> + window]: every
    /// point up to the first one at or past its end. Zero for an empty forecast.
    /// </summary>
    public double PeakUpper(TimeSpan window) => Peak(window, p => p.Upper);

    /// <summary>The highest expected value over the same points as <see cref="PeakUpper"/>.</summary>
    public double PeakExpected(TimeSpan window) => Peak(window, p => p.Expected);

    private double Peak(TimeSpan window, Func<ForecastPoint, double> value)
    {
        var end = AsOf + window;
        var peak = 0.0;
        foreach (var point in Points)
        {
            peak = Math.Max(peak, value(point));
            if (point.At >= end)
            {
                break;
            }
        }

        return peak;
    }
}
