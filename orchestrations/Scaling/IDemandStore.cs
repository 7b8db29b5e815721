using Aisto.Domain.Scaling;

namespace Aisto.Orchestrations.Scaling;

/// <summary>
/// Demand history per region: the per-minute samples of every series, and for each node pool's whole-pool series
/// (<see cref="DemandMeter.AllPools"/>) the peak of every 5-minute interval, stamped at the interval's end — what the
/// forecaster reads, at a fifth of the rows.
/// </summary>
public interface IDemandStore
{
    /// <summary>Writes one moment's samples; writing the same moment again overwrites it (peaks keep their maximum).</summary>
    Task WriteAsync(IReadOnlyList<DemandSample> samples, CancellationToken cancellationToken = default);

    /// <summary>Per-minute samples of one series in [from, to], oldest first.</summary>
    Task<IReadOnlyList<DemandSample>> ReadSamplesAsync(DemandSeriesKey series, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>5-minute peaks of one whole-pool series in [from, to], oldest first.</summary>
    Task<IReadOnlyList<DemandSample>> ReadPeaksAsync(DemandSeriesKey series, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the series' samples older than <paramref name="samplesBefore"/> and peaks older than
    /// <paramref name="peaksBefore"/>; returns how many rows went.
    /// </summary>
    Task<int> DeleteOlderAsync(
        IReadOnlyCollection<DemandSeriesKey> series, DateTimeOffset samplesBefore, DateTimeOffset peaksBefore, CancellationToken cancellationToken = default);
}
