using MathNet.Numerics.LinearAlgebra;

namespace Aisto.Domain.Scaling;

/// <summary>
/// Forecasts one series' demand from its history: a harmonic regression (level, trend, daily and weekly cycles,
/// fitted by least squares with MathNet) whose recent deviation decays at the rate of its residuals' autocorrelation (AR(1)
/// errors), with a band from the quantiles of its own in-sample errors at each horizon. Short histories fall
/// back to simpler models (<see cref="ForecastMethod"/>). Pure: time enters as <c>asOf</c>.
/// </summary>
public sealed class DemandForecaster
{
    private const double MaxAutocorrelation = 0.995;
    private const double Ridge = 1e-9;

    public DemandForecaster(ForecastOptions? options = null)
    {
        Options = options ?? new ForecastOptions();
        Options.Validate();
    }

    public ForecastOptions Options { get; }

    /// <summary>
    /// Fits and forecasts in one go: the next <paramref name="horizon"/> after <paramref name="asOf"/> from the
    /// samples of one series (any order; samples after <paramref name="asOf"/> are ignored).
    /// </summary>
    public DemandForecast Forecast(IReadOnlyList<DemandSample> history, DateTimeOffset asOf, TimeSpan horizon) =>
        Fit(history, asOf, horizon).Forecast(Observed(history, asOf), asOf, horizon);

    /// <summary>
    /// Fits a model to the samples of one series up to <paramref name="asOf"/>, with bands for horizons up to
    /// <paramref name="horizon"/>. Reuse it with <see cref="DemandModel.Forecast"/> to forecast from later
    /// moments without refitting.
    /// </summary>
    public DemandModel Fit(IReadOnlyList<DemandSample> history, DateTimeOffset asOf, TimeSpan horizon)
    {
        ArgumentNullException.ThrowIfNull(history);
        var steps = StepsIn(horizon);
        var series = Bucket(history, asOf);
        if (series.Values.Length == 0)
        {
            return DemandModel.Empty(Options.Step);
        }

        var span = Options.Step * series.Values.Length;
        if (span < Options.MinHistoryForLevel)
        {
            return DemandModel.LastValue(Options.Step, series.Values.Min(), series.Values.Max());
        }

        var method = span >= Options.MinHistoryForWeekly ? ForecastMethod.DailyWeekly
            : span >= Options.MinHistoryForDaily ? ForecastMethod.Daily
            : ForecastMethod.Level;
        var terms = new SeasonalTerms(
            method,
            series.LastAt,
            method >= ForecastMethod.Daily ? Options.DailyHarmonics : 0,
            method == ForecastMethod.DailyWeekly ? Options.WeeklyHarmonics : 0);

        // 1. least squares on the seasonal terms, through the normal equations: the terms are near-orthogonal
        //    over whole days, so XᵀX is well conditioned, and its p×p Cholesky is far cheaper than a QR of X
        var n = series.Values.Length;
        var p = terms.Count;
        var rows = new double[n * p];
        var gram = new double[p, p];
        var moments = new double[p];
        for (var i = 0; i < n; i++)
        {
            var row = rows.AsSpan(i * p, p);
            terms.Fill(series.TimeOf(i), row);
            for (var a = 0; a < p; a++)
            {
                moments[a] += row[a] * series.Values[i];
                for (var b = 0; b <= a; b++)
                {
                    gram[a, b] += row[a] * row[b];
                }
            }
        }

        for (var a = 0; a < p; a++)
        {
            for (var b = 0; b < a; b++)
            {
                gram[b, a] = gram[a, b];
            }

            gram[a, a] += Ridge * n; // keeps a short or degenerate history solvable; negligible otherwise
        }

        var coefficients = Matrix<double>.Build.DenseOfArray(gram).Cholesky()
            .Solve(Vector<double>.Build.DenseOfArray(moments)).ToArray();
        var residuals = new double[n];
        var scales = new double[n];
        for (var i = 0; i < n; i++)
        {
            var row = rows.AsSpan(i * p, p);
            var fitted = 0.0;
            for (var j = 0; j < p; j++)
            {
                fitted += row[j] * coefficients[j];
            }

            residuals[i] = series.Values[i] - fitted;
            scales[i] = BandScale(fitted);
        }

        // 2. how long a deviation persists: lag-1 autocorrelation of the residuals
        var phi = Autocorrelation(residuals);

        // 3. the band: quantiles of the in-sample h-step errors e(t+h) − φ^h·e(t)
        var (lower, upper) = ErrorQuantiles(residuals, scales, phi, steps);
        return new DemandModel(Options.Step, method, terms, coefficients, phi, lower, upper, 0, 0, BandScale);
    }

    /// <summary>The demand observed at <paramref name="asOf"/>: the peak of the last step, else the latest sample.</summary>
    public double Observed(IReadOnlyList<DemandSample> history, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(history);
        var from = asOf - Options.Step;
        double? inStep = null;
        DemandSample? latest = null;
        foreach (var sample in history)
        {
            if (sample.At > asOf)
            {
                continue;
            }

            if (sample.At > from)
            {
                inStep = Math.Max(inStep ?? double.MinValue, sample.RequestedGpus);
            }

            if (latest is null || sample.At > latest.At)
            {
                latest = sample;
            }
        }

        return inStep ?? latest?.RequestedGpus ?? 0;
    }

    private int StepsIn(TimeSpan horizon) =>
        Math.Max(1, (int)Math.Ceiling(horizon.Ticks / (double)Options.Step.Ticks));

    private BucketedSeries Bucket(IReadOnlyList<DemandSample> history, DateTimeOffset asOf)
    {
        // Bucket k covers (k·step, (k+1)·step] and keeps its peak: capacity has to meet peaks, not averages.
        var step = Options.Step.Ticks;
        var oldest = asOf - Options.MaxHistory;
        var peaks = new Dictionary<long, double>();
        foreach (var sample in history)
        {
            if (sample.At > asOf || sample.At <= oldest)
            {
                continue;
            }

            var bucket = CeilDiv(sample.At.UtcTicks, step) - 1;
            peaks[bucket] = peaks.TryGetValue(bucket, out var peak) ? Math.Max(peak, sample.RequestedGpus) : sample.RequestedGpus;
        }

        if (peaks.Count == 0)
        {
            return new BucketedSeries([], 0, Options.Step);
        }

        var first = peaks.Keys.Min();
        var last = peaks.Keys.Max();
        var values = new double[last - first + 1];
        var carried = peaks[first];
        for (var k = first; k <= last; k++)
        {
            // A missing minute means the recorder missed it, not that demand vanished: carry the last value.
            carried = peaks.TryGetValue(k, out var v) ? v : carried;
            values[k - first] = carried;
        }

        return new BucketedSeries(values, first, Options.Step);
    }

    private static long CeilDiv(long a, long b) => (a / b) + (a % b > 0 ? 1 : 0);

    private static double Autocorrelation(double[] residuals)
    {
        double num = 0, den = 0;
        for (var i = 0; i < residuals.Length; i++)
        {
            den += residuals[i] * residuals[i];
            if (i > 0)
            {
                num += residuals[i] * residuals[i - 1];
            }
        }

        return den <= 1e-12 ? 0 : Math.Clamp(num / den, 0, MaxAutocorrelation);
    }

    /// <summary>
    /// How wide errors are expected to be at a demand level, relative to other levels. Demand made of many
    /// independent requests varies like a count (spread ∝ √level), so errors are measured in units of √level and
    /// a busy hour gets a wider band than a quiet night, instead of one width fitted to their mix.
    /// </summary>
    internal double BandScale(double level) => Options.ScaleBandWithLevel ? Math.Sqrt(Math.Max(level, 1)) : 1;

    private (double[] Lower, double[] Upper) ErrorQuantiles(double[] residuals, double[] scales, double phi, int steps)
    {
        var lower = new double[steps];
        var upper = new double[steps];
        var errors = new double[residuals.Length];
        for (var h = 1; h <= steps; h++)
        {
            var count = residuals.Length - h;
            if (count < 2)
            {
                // Not enough history for this horizon: keep the widest band seen so far.
                lower[h - 1] = h > 1 ? lower[h - 2] : 0;
                upper[h - 1] = h > 1 ? upper[h - 2] : 0;
                continue;
            }

            var decay = Math.Pow(phi, h);
            for (var i = 0; i < count; i++)
            {
                errors[i] = (residuals[i + h] - (decay * residuals[i])) / scales[i + h];
            }

            var window = errors.AsSpan(0, count).ToArray();
            lower[h - 1] = MathNet.Numerics.Statistics.ArrayStatistics.QuantileInplace(window, Options.LowerQuantile);
            upper[h - 1] = MathNet.Numerics.Statistics.ArrayStatistics.QuantileInplace(window, Options.UpperQuantile);
        }

        return (lower, upper);
    }

    private sealed record BucketedSeries(double[] Values, long FirstBucket, TimeSpan Step)
    {
        public DateTimeOffset TimeOf(int index) => new((FirstBucket + index + 1) * Step.Ticks, TimeSpan.Zero);

        public DateTimeOffset LastAt => TimeOf(Values.Length - 1);
    }
}
