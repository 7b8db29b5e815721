using Aisto.Domain.Scaling;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Scaling;

/// <summary>
/// Once a minute (timer <c>Aisto:Autoscale:RecordSchedule</c>): brings nodes that became ready into the booking
/// sheet, samples demand per region × GPU model × capacity pool (<see cref="DemandMeter"/>), stores the samples and
/// deletes samples and decisions past their retention. The moment is the whole minute, so a repeated run overwrites its own rows.
/// </summary>
public sealed class DemandRecorder(
    InventorySync sync,
    IInventoryStore inventory,
    QueuedDemandReader queue,
    IDemandStore store,
    IScalingDecisionStore decisions,
    IRegionDirectory regions,
    IOptions<AutoscaleOptions> options,
    TimeProvider clock,
    ILogger<DemandRecorder> logger)
{
    /// <summary>Expired rows are looked for at most this often (one row per series expires per minute; no hurry).</summary>
    private static readonly TimeSpan CleanupInterval = TimeSpan.FromMinutes(10);

    private DateTimeOffset lastCleanup = DateTimeOffset.MinValue;

    public async Task<DemandRecording> RecordAsync(CancellationToken cancellationToken)
    {
        // 1. nodes that became ready take bookings from now on; nodes that left stop counting
        var (added, removed) = await sync.SyncAsync(cancellationToken);
        if (added + removed > 0)
        {
            logger.LogInformation("Inventory: {Added} nodes added, {Removed} removed", added, removed);
        }

        // 2. one picture of bookings and queue, at the whole minute
        var now = clock.GetUtcNow();
        var at = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var nodes = (await inventory.ListNodesAsync(cancellationToken)).Select(n => n.Node).ToList();
        var queued = await queue.ReadAsync(nodes, cancellationToken);
        var samples = DemandMeter.Measure(at, nodes, queued);

        // 3. store, then forget what is past its retention
        await store.WriteAsync(samples, cancellationToken);
        var recording = new DemandRecording(samples, added, removed);
        if (now - lastCleanup < CleanupInterval)
        {
            return recording;
        }

        lastCleanup = now;
        await store.DeleteOlderAsync(
            [.. samples.Select(s => s.Key).Distinct()], at - options.Value.SampleRetention, at - options.Value.HistoryRetention, cancellationToken);
        foreach (var region in regions.Regions)
        {
            await decisions.DeleteOlderAsync(region.Id, at - options.Value.HistoryRetention, cancellationToken);
        }

        return recording;
    }
}

/// <summary>What one recording stored, and how many nodes joined or left the booking sheet before it.</summary>
public sealed record DemandRecording(IReadOnlyList<DemandSample> Samples, int NodesAdded, int NodesRemoved);
