namespace Aisto.Domain.Monitoring;

/// <summary>Nearest-rank percentiles (the value at rank ⌈p·n⌉ of the sorted samples), exact and deterministic.</summary>
public static class Percentiles
{
    public static double? NearestRank(IReadOnlyList<double> sortedAscending, double percentile)
    {
        ArgumentNullException.ThrowIfNull(sortedAscending);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (sortedAscending.Count == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * sortedAscending.Count);
        return sortedAscending[Math.Clamp(rank, 1, sortedAscending.Count) - 1];
    }

    public static WaitPercentiles Of(IEnumerable<TimeSpan> waits)
    {
        var sorted = waits.Select(w => Math.Max(0, w.TotalSeconds)).Order().ToList();
        return sorted.Count == 0
            ? WaitPercentiles.None
            : new WaitPercentiles(sorted.Count, Math.Round(NearestRank(sorted, 50)!.Value, 3), Math.Round(NearestRank(sorted, 95)!.Value, 3));
    }
}
