using Aisto.Domain.Scaling;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging;

namespace Aisto.Orchestrations.Scaling;

/// <summary>Input of <see cref="ReadScalingStateActivity"/>: the region, the run's moment and how far back its cooldowns look.</summary>
public sealed record ReadScalingStateInput(string Region, DateTimeOffset AsOf, TimeSpan Lookback);

/// <summary>One node pool as the region reports it and as the planner sees it.</summary>
public sealed record PoolScalingState(NodePoolStatus Status, PoolState State);

/// <summary>
/// Reads a region's node pools and, per pool, its ready nodes from the booking sheet (GPUs running on each,
/// cordoned = draining), nodes asked for but not in the sheet yet, GPUs requested now (booked + queued), queued
/// GPUs that fit on no node, and when it last scaled out and in (from the recorded decisions).
/// </summary>
public sealed class ReadScalingStateActivity(
    IRegionDirectory regions, IInventoryStore inventory, QueuedDemandReader queue, IScalingDecisionStore decisions)
    : AistoActivity<ReadScalingStateInput, IReadOnlyList<PoolScalingState>>
{
    public override async Task<IReadOnlyList<PoolScalingState>> ExecuteAsync(ReadScalingStateInput input, CancellationToken cancellationToken)
    {
        var pools = await regions.Get(input.Region).ListNodePoolsAsync(cancellationToken);
        var rows = (await inventory.ListNodesAsync(cancellationToken))
            .Where(r => string.Equals(r.Node.Region, input.Region, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var queued = (await queue.ReadAsync([.. rows.Select(r => r.Node)], cancellationToken))
            .Where(q => string.Equals(q.Region, input.Region, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var recent = await decisions.ListAsync(input.Region, input.AsOf - input.Lookback, 10_000, cancellationToken);

        return [.. pools.Select(pool =>
        {
            var mine = rows.Where(r => string.Equals(r.Node.Model, pool.GpuModel, StringComparison.OrdinalIgnoreCase)).ToList();
            var waiting = queued.Where(q => string.Equals(q.GpuModel, pool.GpuModel, StringComparison.OrdinalIgnoreCase)).ToList();
            var nodes = mine
                .Select(r => new PoolNode(r.Node.NodeId, r.Node.GpuMilliUsed.Sum() / 1000.0, r.Cordoned))
                .OrderBy(n => n.NodeId, StringComparer.Ordinal)
                .ToList();
            var applied = recent.Where(d => d.Applied && d.PoolId == pool.PoolId).ToList();
            var state = new PoolState(
                new DemandSeriesKey(input.Region, pool.GpuModel, DemandMeter.AllPools),
                [.. nodes],
                ProvisioningNodes: Math.Max(0, pool.DesiredNodes - mine.Count),
                RequestedGpus: nodes.Sum(n => n.RunningGpus) + waiting.Sum(q => q.Gpus),
                LastScaleOutAt: applied.Where(d => d.Plan.Direction == ScaleDirection.Out).Select(d => (DateTimeOffset?)d.AsOf).FirstOrDefault(),
                LastScaleInAt: applied.Where(d => d.Plan.Direction == ScaleDirection.In).Select(d => (DateTimeOffset?)d.AsOf).FirstOrDefault(),
                UnplaceableGpus: DemandMeter.UnplaceableGpus(mine.Where(r => !r.Cordoned).Select(r => r.Node), waiting));
            return new PoolScalingState(pool, state);
        })];
    }
}

/// <summary>Input of <see cref="ForecastDemandActivity"/>: which region's pools (by GPU model), from when, how far ahead.</summary>
public sealed record ForecastDemandInput(string Region, IReadOnlyList<string> GpuModels, DateTimeOffset AsOf, TimeSpan Horizon);

/// <summary>
/// Reads each pool's 5-minute demand peaks (at most the forecaster's history) plus the last interval's per-minute
/// samples (its peak row is stamped at its end, still ahead of now) and forecasts the next hours with the domain
/// <see cref="DemandForecaster"/>. Returns one forecast per model, in the order asked.
/// </summary>
public sealed class ForecastDemandActivity(IDemandStore store, DemandForecaster forecaster)
    : AistoActivity<ForecastDemandInput, IReadOnlyList<DemandForecast>>
{
    public override async Task<IReadOnlyList<DemandForecast>> ExecuteAsync(ForecastDemandInput input, CancellationToken cancellationToken)
    {
        var forecasts = new List<DemandForecast>(input.GpuModels.Count);
        foreach (var model in input.GpuModels)
        {
            var series = new DemandSeriesKey(input.Region, model, DemandMeter.AllPools);
            var peaks = await store.ReadPeaksAsync(series, input.AsOf - forecaster.Options.MaxHistory, input.AsOf, cancellationToken);
            var latest = await store.ReadSamplesAsync(series, input.AsOf - DemandMeter.PeakInterval, input.AsOf, cancellationToken);
            forecasts.Add(forecaster.Forecast([.. peaks, .. latest], input.AsOf, input.Horizon));
        }

        return forecasts;
    }
}

/// <summary>Input of <see cref="ApplyScalePlanActivity"/>: the plan and the pool size asked for when the state was read.</summary>
public sealed record ApplyScalePlanInput(string Region, string PoolId, ScalePlan Plan, int DesiredNodesBefore);

/// <summary>
/// Carries a plan out through the region port. Drains by cordoning nodes in the booking sheet (nothing new is placed
/// on them; what runs stays); a node is given back only after it was cordoned while holding nothing, so no lease
/// ever loses its node — a node booked meanwhile is cordoned instead and removed by a later run once empty. The pool
/// is asked for an absolute size (size when read + provisioned − removed), so a retry changes nothing twice.
/// </summary>
public sealed class ApplyScalePlanActivity(
    IRegionDirectory regions, IInventoryStore inventory, ILogger<ApplyScalePlanActivity> logger)
    : AistoActivity<ApplyScalePlanInput, ScaleOutcome>
{
    private const int MaxAttempts = 8;

    public override async Task<ScaleOutcome> ExecuteAsync(ApplyScalePlanInput input, CancellationToken cancellationToken)
    {
        var ids = (ScaleActionKind kind) => input.Plan.Actions.Where(a => a.Kind == kind).SelectMany(a => a.NodeIds).ToList();

        // 1. draining nodes wanted back take work again; nodes to drain stop taking it
        var uncordoned = new List<string>();
        foreach (var nodeId in ids(ScaleActionKind.Uncordon))
        {
            if (await SetCordonedAsync(input.Region, nodeId, cordoned: false, onlyIfIdle: false, cancellationToken))
            {
                uncordoned.Add(nodeId);
            }
        }

        var drained = new List<string>();
        foreach (var nodeId in ids(ScaleActionKind.Drain))
        {
            if (await SetCordonedAsync(input.Region, nodeId, cordoned: true, onlyIfIdle: false, cancellationToken))
            {
                drained.Add(nodeId);
            }
        }

        // 2. nodes to give back: cordoned while empty, else drained instead
        var removable = new List<string>();
        var refused = new List<string>();
        foreach (var nodeId in ids(ScaleActionKind.Remove))
        {
            if (await SetCordonedAsync(input.Region, nodeId, cordoned: true, onlyIfIdle: true, cancellationToken))
            {
                removable.Add(nodeId);
            }
            else
            {
                refused.Add(nodeId);
                await SetCordonedAsync(input.Region, nodeId, cordoned: true, onlyIfIdle: false, cancellationToken);
            }
        }

        // 3. one absolute request to the region
        var desired = Math.Max(0, input.DesiredNodesBefore + input.Plan.NodesProvisioned - removable.Count);
        await regions.Get(input.Region).ScaleNodePoolAsync(new NodePoolScaleRequest(input.PoolId, desired, removable), cancellationToken);

        // 4. their rows leave the booking sheet (the inventory sync would do it too)
        foreach (var nodeId in removable)
        {
            if (await inventory.GetNodeAsync(input.Region, nodeId, cancellationToken) is { } row && row.Node.Allocations.IsEmpty)
            {
                await inventory.TryRemoveAsync(row, cancellationToken);
            }
        }

        logger.LogInformation(
            "Scaled {Region}/{Pool} to {Desired} nodes: +{Provisioned}, removed {Removed}, drained {Drained}, uncordoned {Uncordoned}, refused {Refused}",
            input.Region, input.PoolId, desired, input.Plan.NodesProvisioned, removable.Count, drained.Count, uncordoned.Count, refused.Count);
        return new ScaleOutcome(input.Plan.NodesProvisioned, removable, drained, uncordoned, refused, desired);
    }

    /// <summary>
    /// Cordons or uncordons a node row, re-reading on a lost race. A node not in the sheet counts as done (already
    /// removed, or never booked). With <paramref name="onlyIfIdle"/>, refuses (false) a node that holds anything.
    /// </summary>
    private async Task<bool> SetCordonedAsync(string region, string nodeId, bool cordoned, bool onlyIfIdle, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var row = await inventory.GetNodeAsync(region, nodeId, cancellationToken);
            if (row is null)
            {
                return true;
            }

            if (onlyIfIdle && !row.Node.Allocations.IsEmpty)
            {
                return false;
            }

            if (row.Cordoned == cordoned || await inventory.TrySetCordonedAsync(row, cordoned, cancellationToken))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Stores a region's decisions of one run, one per pool (idempotent: same run and pool, same row).</summary>
public sealed class RecordScalingDecisionsActivity(IScalingDecisionStore decisions) : AistoActivity<IReadOnlyList<ScalingDecision>, bool>
{
    public override async Task<bool> ExecuteAsync(IReadOnlyList<ScalingDecision> input, CancellationToken cancellationToken)
    {
        foreach (var decision in input)
        {
            await decisions.RecordAsync(decision, cancellationToken);
        }

        return true;
    }
}
