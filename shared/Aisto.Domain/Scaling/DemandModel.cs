using System.Collections.Immutable;

namespace Aisto.Domain.Scaling;

/// <summary>
/// A fitted demand model (made by <see cref="DemandForecaster.Fit"/>): forecasts from any later moment given the
/// demand observed then, so a caller may refit rarely and forecast often.
/// </summary>
public sealed class DemandModel
{
    private readonly SeasonalTerms? _terms;
    private readonly double[] _coefficients;
    private readonly double[] _lowerErrors;
    private readonly double[] _upperErrors;
    private readonly double _seenMin;
    private readonly double _seenMax;
    private readonly Func<double, double> _bandScale;

    internal DemandModel(
        TimeSpan step,
        ForecastMethod method,
        SeasonalTerms? terms,
        double[] coefficients,
        double autocorrelation,
        double[] lowerErrors,
        double[] upperErrors,
        double seenMin,
        double seenMax,
        Func<double, double>? bandScale = null)
    {
        _bandScale = bandScale ?? (_ => 1);
        Step = step;
        Method = method;
        _terms = terms;
        _coefficients = coefficients;
        Autocorrelation = autocorrelation;
        _lowerErrors = lowerErrors;
        _upperErrors = upperErrors;
        _seenMin = seenMin;
        _seenMax = seenMax;
    }

    public TimeSpan Step { get; }

    public ForecastMethod Method { get; }

    /// <summary>How much of a deviation from the seasonal level is left after one step (0 = none, 1 = all).</summary>
    public double Autocorrelation { get; }

    /// <summary>The model's seasonal level (without the recent deviation) at <paramref name="at"/>.</summary>
    public double Level(DateTimeOffset at)
    {
        if (_terms is null)
        {
            return 0;
        }

        Span<double> row = stackalloc double[_terms.Count];
        _terms.Fill(at, row);
        var level = 0.0;
        for (var j = 0; j < row.Length; j++)
        {
            level += row[j] * _coefficients[j];
        }

        return level;
    }

    /// <summary>
    /// The forecast for the next <paramref name="horizon"/> after <paramref name="asOf"/>, given the demand
    /// <paramref name="observed"/> then. Every value is at least zero and each band contains its expected value.
    /// </summary>
    public DemandForecast Forecast(double observed, DateTimeOffset asOf, TimeSpan horizon)
    {
        var steps = Math.Max(1, (int)Math.Ceiling(horizon.Ticks / (double)Step.Ticks));
        var points = ImmutableArray.CreateBuilder<ForecastPoint>(steps);
        var deviation = observed - Level(asOf);
        for (var h = 1; h <= steps; h++)
        {
            var at = asOf + (Step * h);
            double expected, lower, upper;
            switch (Method)
            {
                case ForecastMethod.None:
                    (expected, lower, upper) = (0, 0, 0);
                    break;
                case ForecastMethod.LastValue:
                    (expected, lower, upper) = (observed, Math.Min(observed, _seenMin), Math.Max(observed, _seenMax));
                    break;
                default:
                    var level = Level(at);
                    expected = level + (Math.Pow(Autocorrelation, h) * deviation);
                    var band = Math.Min(h, _upperErrors.Length) - 1;
                    var scale = _bandScale(level);
                    lower = expected + (_lowerErrors[band] * scale);
                    upper = expected + (_upperErrors[band] * scale);
                    break;
            }

            expected = Math.Max(0, expected);
            points.Add(new ForecastPoint(at, expected, Math.Max(0, Math.Min(lower, expected)), Math.Max(upper, expected)));
        }

        return new DemandForecast(asOf, Step, Method, observed, points.MoveToImmutable());
    }

    internal static DemandModel Empty(TimeSpan step) => new(step, ForecastMethod.None, null, [], 0, [0], [0], 0, 0);

    internal static DemandModel LastValue(TimeSpan step, double seenMin, double seenMax) =>
        new(step, ForecastMethod.LastValue, null, [], 0, [0], [0], seenMin, seenMax);
}
