using Aisto.Domain.Scaling;
using Microsoft.DurableTask;

namespace Aisto.Orchestrations.Scaling;

/// <summary>Input of <see cref="AutoscaleOrchestrator"/>: the regions to scale, the planner's rules and the forecast horizon.</summary>
public sealed record AutoscaleInput(IReadOnlyList<string> Regions, ScalingPolicy Policy, TimeSpan ForecastHorizon);

/// <summary>What one run did per region: pools planned, plans applied, and the error of a region that failed.</summary>
public sealed record AutoscaleRegionResult(string Region, int Pools, int Applied, string? Error);

/// <summary>
/// One autoscaling run, started by the timer: every region at once (fanned out as activity chains, not
/// sub-orchestrations), and per region: 1. read its pools' state, 2. forecast their demand from the recorded
/// history, 3. plan each pool (domain <see cref="ScalePlanner"/>, pure, so it runs here), 4. apply the plans that
/// act through the region port, 5. record forecast, plan and outcome. A region that fails is reported and does not
/// stop the others. Deterministic: the moment is the orchestration's clock.
/// </summary>
public sealed class AutoscaleOrchestrator : TaskOrchestrator<AutoscaleInput, IReadOnlyList<AutoscaleRegionResult>>
{
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2.0));

    public override async Task<IReadOnlyList<AutoscaleRegionResult>> RunAsync(TaskOrchestrationContext context, AutoscaleInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var asOf = new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
        return await Task.WhenAll(input.Regions.Select(region => ScaleRegionAsync(context, input, region, asOf)));
    }

    private static async Task<AutoscaleRegionResult> ScaleRegionAsync(
        TaskOrchestrationContext context, AutoscaleInput input, string region, DateTimeOffset asOf)
    {
        try
        {
            // 1. the pools as they are
            var lookback = Max(input.Policy.ScaleInCooldown, input.Policy.ScaleOutCooldown) + input.Policy.PlanInterval;
            var pools = await context.CallActivityAsync<IReadOnlyList<PoolScalingState>>(
                nameof(ReadScalingStateActivity), new ReadScalingStateInput(region, asOf, lookback), Retry);

            // 2. their demand over the next hours
            var forecasts = await context.CallActivityAsync<IReadOnlyList<DemandForecast>>(
                nameof(ForecastDemandActivity),
                new ForecastDemandInput(region, [.. pools.Select(p => p.Status.GpuModel)], asOf, input.ForecastHorizon),
                Retry);

            var decisions = new List<ScalingDecision>(pools.Count);
            for (var i = 0; i < pools.Count; i++)
            {
                // 3. plan within the pool's own size and bounds (as sane as a policy needs, whatever a region reports)
                var (status, state) = (pools[i].Status, pools[i].State);
                var planner = new ScalePlanner(input.Policy with
                {
                    GpusPerNode = Math.Max(1, status.GpusPerNode),
                    MinNodes = Math.Max(0, status.MinNodes),
                    MaxNodes = Math.Max(Math.Max(0, status.MinNodes), status.MaxNodes),
                });
                var plan = planner.Plan(state, forecasts[i], asOf);

                // 4. act (unless forecast-only or nothing to do)
                ScaleOutcome? outcome = null;
                if (plan.ShouldApply)
                {
                    outcome = await context.CallActivityAsync<ScaleOutcome>(
                        nameof(ApplyScalePlanActivity), new ApplyScalePlanInput(region, status.PoolId, plan, status.DesiredNodes), Retry);
                }

                decisions.Add(new ScalingDecision(region, status.PoolId, status.GpuModel, asOf, forecasts[i], plan, outcome));
            }

            // 5. record what was seen, planned and done
            await context.CallActivityAsync<bool>(nameof(RecordScalingDecisionsActivity), decisions, Retry);
            return new AutoscaleRegionResult(region, pools.Count, decisions.Count(d => d.Applied), null);
        }
        catch (TaskFailedException ex)
        {
            return new AutoscaleRegionResult(region, 0, 0, ex.FailureDetails.ErrorMessage);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
