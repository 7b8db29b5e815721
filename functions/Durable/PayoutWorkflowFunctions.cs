using Aisto.Domain.Payouts;
using Aisto.Orchestrations.Payouts;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Durable;

/// <summary>
/// The Functions-host bindings of the dividend epoch workflow: one orchestration trigger and one activity trigger per
/// task, each delegating to the shared class (the standalone runtime registers the same classes directly).
/// </summary>
public sealed class PayoutWorkflowFunctions(IServiceProvider services)
{
    [Function(nameof(DividendEpochOrchestrator))]
    public static Task<PayoutEpochOutcome> DividendEpochAsync(
        [OrchestrationTrigger] TaskOrchestrationContext context, PayoutEpochInput input) =>
        new DividendEpochOrchestrator().RunAsync(context, input);

    [Function(nameof(BeginPayoutEpochActivity))]
    public Task<PayoutEpochStatus> BeginAsync([ActivityTrigger] PayoutEpochInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<BeginPayoutEpochActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(CloseEpochLedgerActivity))]
    public Task<EpochLedgerClose> CloseLedgerAsync([ActivityTrigger] long input, CancellationToken cancellationToken) =>
        services.GetRequiredService<CloseEpochLedgerActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(TakeRolloversActivity))]
    public Task<string> TakeRolloversAsync([ActivityTrigger] long input, CancellationToken cancellationToken) =>
        services.GetRequiredService<TakeRolloversActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(GetPayoutTokenActivity))]
    public Task<PayoutTokenInfo> GetPayoutTokenAsync([ActivityTrigger] long input, CancellationToken cancellationToken) =>
        services.GetRequiredService<GetPayoutTokenActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(PickSnapshotBlockActivity))]
    public Task<long> PickSnapshotBlockAsync([ActivityTrigger] long input, CancellationToken cancellationToken) =>
        services.GetRequiredService<PickSnapshotBlockActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(ComputeEpochDistributionActivity))]
    public Task<EpochDistributionSummary> ComputeDistributionAsync([ActivityTrigger] EpochDistributionInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<ComputeEpochDistributionActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(PublishEpochActivity))]
    public Task<PublishEpochResult> PublishAsync([ActivityTrigger] PublishEpochInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<PublishEpochActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(StoreEpochReportActivity))]
    public Task<bool> StoreReportAsync([ActivityTrigger] StoreEpochReportInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<StoreEpochReportActivity>().ExecuteAsync(input, cancellationToken);

    [Function(nameof(FailPayoutEpochActivity))]
    public Task<bool> FailAsync([ActivityTrigger] FailPayoutEpochInput input, CancellationToken cancellationToken) =>
        services.GetRequiredService<FailPayoutEpochActivity>().ExecuteAsync(input, cancellationToken);
}
