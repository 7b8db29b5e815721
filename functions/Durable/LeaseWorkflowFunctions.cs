using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Durable;

/// <summary>
/// The Functions-host bindings of the lease lifecycle: one orchestration trigger and one activity trigger per task,
/// each delegating to the shared class (the standalone runtime registers the same classes directly).
/// </summary>
public sealed class LeaseWorkflowFunctions(IServiceProvider services)
{
    [Function(nameof(LeaseLifecycleOrchestrator))]
    public static Task<LeaseOutcome> LeaseLifecycleAsync(
        [OrchestrationTrigger] TaskOrchestrationContext context, LeaseLifecycleInput input) =>
        new LeaseLifecycleOrchestrator().RunAsync(context, input);

    [Function(nameof(ReserveCapacityActivity))]
    public Task<ReserveCapacityResult> ReserveCapacityAsync([ActivityTrigger] ReserveCapacityInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<ReserveCapacityActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(ProvisionWorkloadActivity))]
    public Task<WorkloadState> ProvisionWorkloadAsync([ActivityTrigger] ProvisionWorkloadInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<ProvisionWorkloadActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(CheckWorkloadActivity))]
    public Task<WorkloadState> CheckWorkloadAsync([ActivityTrigger] WorkloadRef input, CancellationToken cancellationToken) =>
        services.GetRequiredService<CheckWorkloadActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(StartLeaseWorkloadActivity))]
    public Task<LeaseWorkloadProgress> StartLeaseWorkloadAsync([ActivityTrigger] StartLeaseWorkloadInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<StartLeaseWorkloadActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(CheckLeaseWorkloadActivity))]
    public Task<LeaseWorkloadProgress> CheckLeaseWorkloadAsync([ActivityTrigger] CheckLeaseWorkloadInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<CheckLeaseWorkloadActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(TeardownWorkloadActivity))]
    public Task<bool> TeardownWorkloadAsync([ActivityTrigger] WorkloadRef input, CancellationToken cancellationToken) =>
        services.GetRequiredService<TeardownWorkloadActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(MeterLeaseActivity))]
    public Task<MeterLeaseResult> MeterLeaseAsync([ActivityTrigger] MeterLeaseInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<MeterLeaseActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(RecordLeaseTransitionActivity))]
    public Task<bool> RecordLeaseTransitionAsync([ActivityTrigger] LeaseTransition input, CancellationToken cancellationToken) =>
        services.GetRequiredService<RecordLeaseTransitionActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(EndLeaseActivity))]
    public Task<EndLeaseResult> EndLeaseAsync([ActivityTrigger] EndLeaseInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<EndLeaseActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(MarkLeaseWaitingActivity))]
    public Task<bool> MarkLeaseWaitingAsync([ActivityTrigger] string input, CancellationToken cancellationToken) =>
        services.GetRequiredService<MarkLeaseWaitingActivity>().ExecuteAsync(input, cancellationToken);
}
