namespace Aisto.Sim.Quotes;

/// <summary>
/// How close quoted waits came to observed ones. A request "waited" when its observed wait was at least the
/// threshold; for those, the quote is within 2× when observed / 2 ≤ quoted ≤ 2 × observed, and the ratio is
/// quoted / observed. Requests that did not wait count as right when their quote was under the threshold too.
/// </summary>
internal sealed record QuoteAccuracy(
    string Model,
    int Seed,
    int Requests,
    double WaitedAtLeastSeconds,
    int Waited,
    int WaitedWithin2x,
    double WaitedWithin2xShare,
    double MedianRatio,
    double P10Ratio,
    double P90Ratio,
    int NotWaited,
    int NotWaitedQuotedUnderThreshold,
    double NotWaitedRightShare,
    int Unquoted,
    double MeanObservedWaitSeconds,
    double MeanQuotedWaitSeconds)
{
    private const double MaxRatio = 1_000;

    public static QuoteAccuracy From(string model, int seed, IReadOnlyList<ReplayedRequest> replayed, double waitedAtLeastSeconds)
    {
        ArgumentNullException.ThrowIfNull(replayed);
        var waited = replayed.Where(r => r.ObservedWaitSeconds >= waitedAtLeastSeconds).ToList();
        // An unquoted wait (no estimate) counts as infinitely wrong; ratios are capped for printing.
        var ratios = waited.Select(r => Math.Min(MaxRatio, (r.QuotedWaitSeconds ?? double.PositiveInfinity) / r.ObservedWaitSeconds)).Order().ToList();
        var within = ratios.Count(x => x is >= 0.5 and <= 2.0);
        var notWaited = replayed.Where(r => r.ObservedWaitSeconds < waitedAtLeastSeconds).ToList();
        var rightNoWait = notWaited.Count(r => r.QuotedWaitSeconds is { } q && q < waitedAtLeastSeconds);
        return new QuoteAccuracy(
            model,
            seed,
            replayed.Count,
            waitedAtLeastSeconds,
            waited.Count,
            within,
            waited.Count == 0 ? 1 : Math.Round(within / (double)waited.Count, 4),
            Quantile(ratios, 0.5),
            Quantile(ratios, 0.1),
            Quantile(ratios, 0.9),
            notWaited.Count,
            rightNoWait,
            notWaited.Count == 0 ? 1 : Math.Round(rightNoWait / (double)notWaited.Count, 4),
            replayed.Count(r => r.QuotedWaitSeconds is null),
            Math.Round(replayed.Average(r => r.ObservedWaitSeconds), 1),
            Math.Round(replayed.Average(r => r.QuotedWaitSeconds ?? 0), 1));
    }

    private static double Quantile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : Math.Round(sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(q * sorted.Count))], 3);
}
