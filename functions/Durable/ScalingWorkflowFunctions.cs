using Aisto.Domain.Scaling;
using Aisto.Orchestrations.Scaling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Durable;

/// <summary>
/// The Functions-host bindings of autoscaling: the orchestration trigger and one activity trigger per task, each
/// delegating to the shared class (the standalone runtime registers the same classes directly).
/// </summary>
public sealed class ScalingWorkflowFunctions(IServiceProvider services)
{
    [Function(nameof(AutoscaleOrchestrator))]
    public static Task<IReadOnlyList<AutoscaleRegionResult>> AutoscaleAsync(
        [OrchestrationTrigger] TaskOrchestrationContext context, AutoscaleInput input) =>
        new AutoscaleOrchestrator().RunAsync(context, input);

    [Function(nameof(ReadScalingStateActivity))]
    public Task<IReadOnlyList<PoolScalingState>> ReadScalingStateAsync([ActivityTrigger] ReadScalingStateInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<ReadScalingStateActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(ForecastDemandActivity))]
    public Task<IReadOnlyList<DemandForecast>> ForecastDemandAsync([ActivityTrigger] ForecastDemandInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<ForecastDemandActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(ApplyScalePlanActivity))]
    public Task<ScaleOutcome> ApplyScalePlanAsync([ActivityTrigger] ApplyScalePlanInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<ApplyScalePlanActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(RecordScalingDecisionsActivity))]
    public Task<bool> RecordScalingDecisionsAsync([ActivityTrigger] IReadOnlyList<ScalingDecision> input, CancellationToken cancellationToken) =>
        services.GetRequiredService<RecordScalingDecisionsActivity>().ExecuteAsync(input, cancellationToken);
}
