using Aisto.Orchestrations.Depin;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Durable;

/// <summary>The Functions-host bindings of the DePIN task workflow (the standalone runtime registers the same classes).</summary>
public sealed class DepinWorkflowFunctions(IServiceProvider services)
{
    [Function(nameof(DepinTaskOrchestrator))]
    public static Task<DepinTaskOutcome> DepinTaskAsync([OrchestrationTrigger] TaskOrchestrationContext context, DepinTaskInput input) =>
        new DepinTaskOrchestrator().RunAsync(context, input);

    [Function(nameof(EnqueueDepinTaskActivity))]
    public Task<bool> EnqueueAsync([ActivityTrigger] EnqueueDepinTaskInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<EnqueueDepinTaskActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(AdmitDepinTaskActivity))]
    public Task<DepinAdmission> AdmitAsync([ActivityTrigger] string? input, CancellationToken cancellationToken) =>
        services.GetRequiredService<AdmitDepinTaskActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(ReleaseDepinCapacityActivity))]
    public Task<bool> ReleaseAsync([ActivityTrigger] ReleaseDepinCapacityInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<ReleaseDepinCapacityActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(RecordDepinTaskActivity))]
    public Task<bool> RecordAsync([ActivityTrigger] DepinTaskTransition input, CancellationToken cancellationToken) =>
        services.GetRequiredService<RecordDepinTaskActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(AccrueDepinRewardActivity))]
    public Task<string> AccrueRewardAsync([ActivityTrigger] AccrueDepinRewardInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<AccrueDepinRewardActivity>().ExecuteAsync(input, cancellationToken);
}
