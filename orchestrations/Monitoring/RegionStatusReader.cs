using Aisto.Domain.Leases;
using Aisto.Domain.Monitoring;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>
/// Reads what the region status needs — one inventory snapshot, the queue, the waits of the window — and lets
/// <see cref="RegionStatusBuilder"/> aggregate it. Every read also refreshes the gauges' <see cref="RegionStatusCache"/>.
/// </summary>
public sealed class RegionStatusReader(
    IInventoryStore inventory, ILeaseStore leases, ILeaseActivityStore activity, IOptions<MonitoringOptions> options, TimeProvider clock)
{
    private const int MaxQueued = 10_000;
    private const int MaxActivity = 5_000;

    public async Task<IReadOnlyList<RegionStatus>> ReadAsync(CancellationToken cancellationToken = default) =>
        (await ReadWithActivityAsync(cancellationToken)).Regions;

    /// <summary>The region statuses and the lease changes of the wait window they were computed from.</summary>
    public async Task<(IReadOnlyList<RegionStatus> Regions, IReadOnlyList<LeaseActivity> Activity)> ReadWithActivityAsync(
        CancellationToken cancellationToken = default)
    {
        var asOf = clock.GetUtcNow();
        var snapshots = inventory.SnapshotAsync(cancellationToken);
        var queued = leases.ListQueuedAsync(MaxQueued, cancellationToken);
        var recent = activity.ListSinceAsync(asOf - options.Value.WaitWindow, MaxActivity, cancellationToken);
        await Task.WhenAll(snapshots, queued, recent);

        var waits = recent.Result
            .Where(a => a.Status == LeaseStatus.Active && a.Region is not null)
            .Select(a => new WaitSample(a.Region!, a.GpuModel, a.Pool, a.At - a.RequestedAt, a.At))
            .ToList();
        var demand = queued.Result.Select(q => new QueuedDemand(q.GpuModel, q.Region, null, q.RequestedAt)).ToList();
        var statuses = RegionStatusBuilder.Build(snapshots.Result, demand, waits, asOf);
        RegionStatusCache.Update(statuses);
        return (statuses, recent.Result);
    }
}
