using Aisto.Domain.Scaling;
using Aisto.Orchestrations.Scaling;

namespace Aisto.Functions.Scaling;

/// <summary>The shape of <c>GET /api/regions/{region}/scaling</c> (docs/autoscaling.md); GPUs rounded to 3 decimals.</summary>
public static class ScalingResource
{
    public static object From(RegionScalingView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new
        {
            region = view.Region,
            asOf = view.AsOf,
            windowHours = view.Window.TotalHours,
            mode = view.ForecastOnly ? ScaleMode.ForecastOnly : ScaleMode.Act,
            pools = view.Pools.Select(Pool),
            actions = view.Actions.Select(Action),
        };
    }

    private static object Pool(PoolScalingView pool) => new
    {
        poolId = pool.PoolId,
        gpuModel = pool.GpuModel,
        gpusPerNode = pool.Status?.GpusPerNode,
        readyNodes = pool.Status?.ReadyNodes,
        desiredNodes = pool.Status?.DesiredNodes,
        minNodes = pool.Status?.MinNodes,
        maxNodes = pool.Status?.MaxNodes,
        current = pool.Latest is { } s
            ? new
            {
                at = s.At,
                requestedGpus = R(s.RequestedGpus),
                allocatedGpus = R(s.AllocatedGpus),
                capacityGpus = R(s.CapacityGpus),
                queueLength = s.QueueLength,
                p95WaitSeconds = R(s.P95WaitSeconds),
            }
            : null,
        forecastVsActual = new
        {
            aheadMinutes = pool.ForecastVersusActual.Ahead.TotalMinutes,
            meanAbsoluteError = R(pool.ForecastVersusActual.MeanAbsoluteError),
            upperCoverage = R(pool.ForecastVersusActual.UpperCoverage),
            points = pool.ForecastVersusActual.Points.Select(p => new
            {
                at = p.At,
                actualGpus = R(p.ActualGpus),
                expectedGpus = R(p.ExpectedGpus),
                lowerGpus = R(p.LowerGpus),
                upperGpus = R(p.UpperGpus),
                forecastAsOf = p.ForecastAsOf,
            }),
        },
        latestForecast = pool.LatestForecast is { } f
            ? new
            {
                asOf = f.AsOf,
                method = f.Method,
                observedGpus = R(f.Observed),
                points = f.Points.Select(p => new { at = p.At, expectedGpus = R(p.Expected), lowerGpus = R(p.Lower), upperGpus = R(p.Upper) }),
            }
            : null,
    };

    private static object Action(ScalingDecision d) => new
    {
        at = d.AsOf,
        poolId = d.PoolId,
        gpuModel = d.GpuModel,
        mode = d.Plan.Mode,
        direction = d.Plan.Direction,
        applied = d.Applied,
        forecastGpus = R(d.Plan.ForecastGpus),
        targetGpus = R(d.Plan.TargetGpus),
        activeNodes = d.Plan.ActiveNodes,
        desiredNodes = d.Plan.DesiredNodes,
        reason = d.Plan.Reason,
        actions = d.Plan.Actions.Select(a => new { kind = a.Kind, nodeCount = a.NodeCount, nodeIds = a.NodeIds }),
        outcome = d.Outcome,
    };

    private static double R(double value) => Math.Round(value, 3);

    private static double? R(double? value) => value is { } v ? Math.Round(v, 3) : null;
}
