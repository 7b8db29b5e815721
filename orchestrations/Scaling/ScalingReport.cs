using Aisto.Domain.Scaling;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Scaling;

/// <summary>A region's autoscaling over a recent window: per node pool, forecasts against actual demand; and the actions taken.</summary>
public sealed record RegionScalingView(
    string Region,
    DateTimeOffset AsOf,
    TimeSpan Window,
    bool ForecastOnly,
    IReadOnlyList<PoolScalingView> Pools,
    IReadOnlyList<ScalingDecision> Actions);

/// <summary>One node pool: as the region reports it (null when it did not answer), its latest sample, forecast vs actual, latest forecast.</summary>
public sealed record PoolScalingView(
    string PoolId,
    string GpuModel,
    NodePoolStatus? Status,
    DemandSample? Latest,
    ForecastComparison ForecastVersusActual,
    DemandForecast? LatestForecast);

/// <summary>Reads what <c>GET /api/regions/{region}/scaling</c> shows, from the demand and decision stores and the region.</summary>
public sealed class ScalingReport(
    IRegionDirectory regions, IDemandStore demand, IScalingDecisionStore decisions, IOptions<AutoscaleOptions> options, TimeProvider clock)
{
    private const int MaxDecisions = 5_000;

    /// <summary>The view of <paramref name="regionId"/> over the last <paramref name="window"/>; null for an unknown region.</summary>
    public async Task<RegionScalingView?> GetAsync(string regionId, TimeSpan window, int maxActions, CancellationToken cancellationToken)
    {
        var info = regions.Regions.FirstOrDefault(r => string.Equals(r.Id, regionId, StringComparison.OrdinalIgnoreCase));
        if (info is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        IReadOnlyList<NodePoolStatus> pools;
        try
        {
            pools = await regions.Get(info.Id).ListNodePoolsAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            pools = [];
        }

        var recent = await decisions.ListAsync(info.Id, now - window, MaxDecisions, cancellationToken);
        var models = pools.Select(p => (p.PoolId, p.GpuModel))
            .Concat(recent.Select(d => (d.PoolId, d.GpuModel)))
            .Distinct()
            .OrderBy(p => p.GpuModel, StringComparer.Ordinal)
            .ToList();

        var views = new List<PoolScalingView>();
        foreach (var (poolId, model) in models)
        {
            var series = new DemandSeriesKey(info.Id, model, DemandMeter.AllPools);
            // the current interval's peak so far is stamped at its end, ahead of now
            var peaks = await demand.ReadPeaksAsync(series, now - window, now + DemandMeter.PeakInterval, cancellationToken);
            var latest = (await demand.ReadSamplesAsync(series, now - TimeSpan.FromMinutes(5), now, cancellationToken)).LastOrDefault();
            var forecasts = recent.Where(d => d.PoolId == poolId).Select(d => d.Forecast).ToList();
            views.Add(new PoolScalingView(
                poolId,
                model,
                pools.FirstOrDefault(p => p.PoolId == poolId),
                latest,
                ForecastComparison.Compare(forecasts, peaks, options.Value.NodeLeadTime),
                forecasts.FirstOrDefault()));
        }

        return new RegionScalingView(
            info.Id,
            now,
            window,
            options.Value.ForecastOnly,
            views,
            [.. recent.Where(d => !d.Plan.Actions.IsEmpty).Take(maxActions)]);
    }
}
