using Aisto.Domain.Scaling;
using Aisto.Infrastructure.Scaling;

namespace Aisto.Functions.Tests;

/// <summary>The demand history in Tables (storage emulator): 5-minute peaks and the retention window.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class DemandStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly DemandSeriesKey Series = new("singapore", "H100", DemandMeter.AllPools);
    private TableDemandStore store = null!;

    public async Task InitializeAsync()
    {
        store = new TableDemandStore(await StorageEmulator.FreshTablesAsync());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static DemandSample Sample(DateTimeOffset at, double requested, string pool = DemandMeter.AllPools) =>
        new(at, Series.Region, Series.GpuModel, pool, requested, requested, 64, 0, 0);

    [Fact]
    public async Task A_five_minute_interval_keeps_its_peak_stamped_at_its_end()
    {
        await store.WriteAsync([Sample(Now.AddMinutes(1), 12)]);
        await store.WriteAsync([Sample(Now.AddMinutes(2), 20)]);
        await store.WriteAsync([Sample(Now.AddMinutes(3), 15)]);
        await store.WriteAsync([Sample(Now.AddMinutes(5), 7)]);

        var peak = Assert.Single(await store.ReadPeaksAsync(Series, Now, Now.AddMinutes(9)));
        var minutes = await store.ReadSamplesAsync(Series, Now, Now.AddMinutes(9));

        Assert.Equal((Now.AddMinutes(5), 20.0), (peak.At, peak.RequestedGpus));
        Assert.Equal([12.0, 20.0, 15.0, 7.0], minutes.Select(s => s.RequestedGpus));
    }

    [Fact]
    public async Task Rows_past_their_retention_are_deleted_and_newer_ones_kept()
    {
        var leasing = Series with { Pool = "leasing" };
        foreach (var daysAgo in new[] { 30, 3, 1 })
        {
            await store.WriteAsync([Sample(Now.AddDays(-daysAgo), daysAgo), Sample(Now.AddDays(-daysAgo), daysAgo, "leasing")]);
        }

        var deleted = await store.DeleteOlderAsync([Series, leasing], samplesBefore: Now.AddDays(-2), peaksBefore: Now.AddDays(-28));

        Assert.Equal(2 + 2 + 1, deleted);   // samples of 30 and 3 days ago in both series, the 30-day-old peak
        Assert.Equal([1.0], (await store.ReadSamplesAsync(Series, Now.AddDays(-60), Now)).Select(s => s.RequestedGpus));
        Assert.Equal([1.0], (await store.ReadSamplesAsync(leasing, Now.AddDays(-60), Now)).Select(s => s.RequestedGpus));
        Assert.Equal([3.0, 1.0], (await store.ReadPeaksAsync(Series, Now.AddDays(-60), Now)).Select(s => s.RequestedGpus));
    }
}
