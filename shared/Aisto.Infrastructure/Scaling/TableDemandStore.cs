using System.Globalization;
using Aisto.Domain.Scaling;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Scaling;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Scaling;

/// <summary>
/// Demand history in Azure Tables, PK region: <c>demandsamples</c> (one row per series and minute) and
/// <c>demandpeaks</c> (one row per whole-pool series and 5-minute interval, holding the interval's peak). Row keys are
/// <c>{model}|{pool}|{ticks}</c>, so one series over a time range, and its expired rows, are a key-range query.
/// </summary>
public sealed class TableDemandStore(AistoTables tables) : IDemandStore
{
    private const string SamplesTable = "demandsamples";
    private const string PeaksTable = "demandpeaks";
    private const int MaxAttempts = 8;

    public async Task WriteAsync(IReadOnlyList<DemandSample> samples, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var table = await tables.GetAsync(SamplesTable, cancellationToken);
        foreach (var region in samples.GroupBy(s => s.Region, StringComparer.Ordinal))
        {
            foreach (var batch in region.Chunk(100))
            {
                await table.SubmitTransactionAsync(
                    batch.Select(s => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(s, RowKey(s.Key, s.At)))),
                    cancellationToken);
            }
        }

        foreach (var sample in samples.Where(s => s.Pool == DemandMeter.AllPools))
        {
            await MergePeakAsync(sample, cancellationToken);
        }
    }

    public Task<IReadOnlyList<DemandSample>> ReadSamplesAsync(
        DemandSeriesKey series, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        ReadAsync(SamplesTable, series, from, to, cancellationToken);

    public Task<IReadOnlyList<DemandSample>> ReadPeaksAsync(
        DemandSeriesKey series, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        ReadAsync(PeaksTable, series, from, to, cancellationToken);

    public async Task<int> DeleteOlderAsync(
        IReadOnlyCollection<DemandSeriesKey> series, DateTimeOffset samplesBefore, DateTimeOffset peaksBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        var deleted = 0;
        foreach (var key in series)
        {
            deleted += await DeleteOlderAsync(SamplesTable, key, samplesBefore, cancellationToken);
            if (key.Pool == DemandMeter.AllPools)
            {
                deleted += await DeleteOlderAsync(PeaksTable, key, peaksBefore, cancellationToken);
            }
        }

        return deleted;
    }

    /// <summary>The end of the 5-minute interval (k·5 min, (k+1)·5 min] that holds <paramref name="at"/>.</summary>
    public static DateTimeOffset PeakIntervalEnd(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        var step = DemandMeter.PeakInterval.Ticks;
        var end = ticks % step == 0 ? ticks : ticks - (ticks % step) + step;
        return new DateTimeOffset(end, TimeSpan.Zero);
    }

    /// <summary>Raises the interval's peak row to this sample if it is higher (ETag-guarded read-modify-write).</summary>
    private async Task MergePeakAsync(DemandSample sample, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(PeaksTable, cancellationToken);
        var end = PeakIntervalEnd(sample.At);
        var rowKey = RowKey(sample.Key, end);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(sample.Region, rowKey, cancellationToken: cancellationToken);
            try
            {
                if (!existing.HasValue || existing.Value is not { } row)
                {
                    await table.AddEntityAsync(ToEntity(sample with { At = end }, rowKey), cancellationToken);
                    return;
                }

                var peak = FromEntity(row);
                var merged = peak with
                {
                    RequestedGpus = Math.Max(peak.RequestedGpus, sample.RequestedGpus),
                    AllocatedGpus = Math.Max(peak.AllocatedGpus, sample.AllocatedGpus),
                    CapacityGpus = Math.Max(peak.CapacityGpus, sample.CapacityGpus),
                    QueueLength = Math.Max(peak.QueueLength, sample.QueueLength),
                    P95WaitSeconds = Math.Max(peak.P95WaitSeconds, sample.P95WaitSeconds),
                };
                if (merged == peak)
                {
                    return;
                }

                await table.UpdateEntityAsync(ToEntity(merged, rowKey), row.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Written meanwhile: read again.
            }
        }
    }

    private async Task<IReadOnlyList<DemandSample>> ReadAsync(
        string tableName, DemandSeriesKey series, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken);
        var low = RowKey(series, from);
        var high = RowKey(series, to);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {series.Region} and RowKey ge {low} and RowKey le {high}");
        var samples = new List<DemandSample>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            samples.Add(FromEntity(row));
        }

        return samples;
    }

    private async Task<int> DeleteOlderAsync(string tableName, DemandSeriesKey series, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {series.Region} and RowKey ge {Prefix(series)} and RowKey lt {RowKey(series, before)}");
        var keys = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(row.RowKey);
        }

        foreach (var batch in keys.Chunk(100))
        {
            try
            {
                await table.SubmitTransactionAsync(
                    batch.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(series.Region, k), ETag.All)),
                    cancellationToken);
            }
            catch (TableTransactionFailedException)
            {
                // One of them went meanwhile (another recorder): the next run deletes the rest.
            }
        }

        return keys.Count;
    }

    private static string Prefix(DemandSeriesKey series) => $"{series.GpuModel}|{series.Pool}|";

    private static string RowKey(DemandSeriesKey series, DateTimeOffset at) =>
        Prefix(series) + Math.Max(0, at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(DemandSample s, string rowKey) => new(s.Region, rowKey)
    {
        ["At"] = s.At,
        ["GpuModel"] = s.GpuModel,
        ["Pool"] = s.Pool,
        ["RequestedGpus"] = s.RequestedGpus,
        ["AllocatedGpus"] = s.AllocatedGpus,
        ["CapacityGpus"] = s.CapacityGpus,
        ["QueueLength"] = s.QueueLength,
        ["P95WaitSeconds"] = s.P95WaitSeconds,
    };

    private static DemandSample FromEntity(TableEntity e) => new(
        e.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue,
        e.PartitionKey,
        e.GetString("GpuModel") ?? "",
        e.GetString("Pool") ?? "",
        e.GetDouble("RequestedGpus") ?? 0,
        e.GetDouble("AllocatedGpus") ?? 0,
        e.GetDouble("CapacityGpus") ?? 0,
        e.GetInt32("QueueLength") ?? 0,
        e.GetDouble("P95WaitSeconds") ?? 0);
}
