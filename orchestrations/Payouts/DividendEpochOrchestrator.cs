using System.Globalization;
using System.Numerics;
using Aisto.Domain.Payouts;
using Microsoft.DurableTask;

namespace Aisto.Orchestrations.Payouts;

/// <summary>
/// One epoch's dividends, exactly once: close the ledger → pool → snapshot block (picked once) → allocations and
/// Merkle root → publish and fund (skipped when the chain already has the epoch) → store report, allocations and
/// proofs. One instance per epoch (<see cref="InstanceIdFor"/>), so an epoch is never processed twice.
/// </summary>
public sealed class DividendEpochOrchestrator : TaskOrchestrator<PayoutEpochInput, PayoutEpochOutcome>
{
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2.0));

    /// <summary>The orchestration instance id of an epoch.</summary>
    public static string InstanceIdFor(long epoch) => string.Create(CultureInfo.InvariantCulture, $"epoch-{epoch}");

    public override async Task<PayoutEpochOutcome> RunAsync(TaskOrchestrationContext context, PayoutEpochInput input)
    {
        var status = await context.CallActivityAsync<PayoutEpochStatus>(nameof(BeginPayoutEpochActivity), input, Retry);
        if (status == PayoutEpochStatus.Completed)
        {
            return new PayoutEpochOutcome(input.Epoch, status, null, null);
        }

        try
        {
            // 1. Close the epoch's books.
            var books = await context.CallActivityAsync<EpochLedgerClose>(nameof(CloseEpochLedgerActivity), input.Epoch, Retry);

            // 2. The pool: the dividend share of profit in payout-token base units, plus earlier roll-overs.
            var carriedOver = BigInteger.Parse(
                await context.CallActivityAsync<string>(nameof(TakeRolloversActivity), input.Epoch, Retry), CultureInfo.InvariantCulture);
            var token = await context.CallActivityAsync<PayoutTokenInfo>(nameof(GetPayoutTokenActivity), input.Epoch, Retry);
            var pool = new DividendCalculator(new DividendPolicy(input.DividendShare, token.Decimals, input.UsdPerPayoutToken))
                .ComputePool(books, carriedOver);

            // 3. The snapshot block, picked once (history replays it; the store keeps it across a restart of the epoch).
            var block = await context.CallActivityAsync<long>(nameof(PickSnapshotBlockActivity), input.Epoch, Retry);

            // 4. Holders at that block → allocations (largest remainder, allowlist) → Merkle root.
            var distribution = new EpochDistributionInput(
                input.Epoch, block, pool.Total.ToString(CultureInfo.InvariantCulture), input.Allowlist);
            var summary = await context.CallActivityAsync<EpochDistributionSummary>(
                nameof(ComputeEpochDistributionActivity), distribution, Retry);

            // 5. Publish and fund in one transaction, unless the chain already has this epoch.
            PublishEpochResult? publication = null;
            if (summary.MerkleRoot is { } root)
            {
                publication = await context.CallActivityAsync<PublishEpochResult>(
                    nameof(PublishEpochActivity), new PublishEpochInput(input.Epoch, root, summary.Paid), Retry);
            }

            // 6. Report, allocations and proofs.
            await context.CallActivityAsync<bool>(
                nameof(StoreEpochReportActivity),
                new StoreEpochReportInput(input, books, carriedOver.ToString(CultureInfo.InvariantCulture), token.Address, distribution, summary, publication),
                Retry);
            return new PayoutEpochOutcome(input.Epoch, PayoutEpochStatus.Completed, summary.MerkleRoot, null);
        }
        catch (TaskFailedException failure)
        {
            var reason = $"{failure.TaskName}: {failure.FailureDetails.ErrorMessage}";
            await context.CallActivityAsync<bool>(nameof(FailPayoutEpochActivity), new FailPayoutEpochInput(input.Epoch, reason), Retry);
            return new PayoutEpochOutcome(input.Epoch, PayoutEpochStatus.Failed, null, reason);
        }
    }
}
