using System.Globalization;
using Aisto.Domain.Ledger;
using Aisto.Domain.Payouts;
using Aisto.Orchestrations.Depin;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Ledger;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Payouts;

/// <summary>Marks the epoch Running (creating its record), or reports it Completed so nothing runs again.</summary>
public sealed class BeginPayoutEpochActivity(IPayoutStore store, TimeProvider clock) : AistoActivity<PayoutEpochInput, PayoutEpochStatus>
{
    public override async Task<PayoutEpochStatus> ExecuteAsync(PayoutEpochInput input, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var record = await store.GetAsync(input.Epoch, cancellationToken)
            ?? new PayoutEpochRecord(input.Epoch, PayoutEpochStatus.Pending, input.PeriodStart, input.PeriodEnd, now);
        if (record.Status == PayoutEpochStatus.Completed)
        {
            return record.Status;
        }

        // A Published epoch (root on chain, report missing) stays Published: that is the truth until the report lands.
        var status = record.Status == PayoutEpochStatus.Published ? PayoutEpochStatus.Published : PayoutEpochStatus.Running;
        await store.SaveAsync(record with { Status = status, UpdatedAt = now, FailureReason = null }, cancellationToken);
        return status;
    }
}

/// <summary>
/// Closes the epoch's books from its ledger lines: lease revenue; infrastructure cost of the metered GPU time (each
/// lease charge's and each platform-pool DePIN task's GPUs × period, at the configured rate of its region and model),
/// DePIN rewards to contributors valued in USD, incubation grants.
/// </summary>
public sealed class CloseEpochLedgerActivity(
    ILedgerStore ledger,
    ILeaseStore leases,
    IDepinStore depin,
    IOptions<PayoutOptions> options,
    ILogger<CloseEpochLedgerActivity> logger) : AistoActivity<long, EpochLedgerClose>
{
    public override async Task<EpochLedgerClose> ExecuteAsync(long input, CancellationToken cancellationToken)
    {
        var entries = await ledger.ListAsync(input, cancellationToken);
        var footprints = new Dictionary<string, MeteredGpuFootprint>(StringComparer.Ordinal);
        foreach (var leaseId in entries.Where(e => e.Kind == LedgerEntryKind.LeaseCharge).Select(e => e.Reference).Distinct(StringComparer.Ordinal))
        {
            if (await leases.FindAsync(leaseId, cancellationToken) is { Placement: { } placement } lease)
            {
                footprints[leaseId] = new MeteredGpuFootprint(placement.Region, lease.Request.GpuModel, lease.Request.Gpu.TotalMilli);
            }
        }

        var platformTasks = entries
            .Where(e => e.Kind == LedgerEntryKind.DepinReward && e.Account == DepinPlacement.Platform)
            .Select(e => e.Reference)
            .Distinct(StringComparer.Ordinal);
        foreach (var taskId in platformTasks)
        {
            if (await depin.GetTaskAsync(taskId, cancellationToken) is { Placement: { } placement })
            {
                footprints[taskId] = new MeteredGpuFootprint(placement.Region, placement.GpuModel, placement.TotalGpuMilli);
            }
        }

        var books = EpochLedgerClose.Close(input, entries, options.Value.Costing(footprints));
        if (books.UncostedLines > 0)
        {
            logger.LogWarning(
                "Epoch {Epoch}: {Count} metered ledger lines name a lease or task that was not found; their GPU time has no infrastructure cost",
                input,
                books.UncostedLines);
        }

        return books;
    }
}

/// <summary>Takes the roll-overs of earlier epochs into this epoch's pool (base units, as a string).</summary>
public sealed class TakeRolloversActivity(IPayoutStore store) : AistoActivity<long, string>
{
    public override async Task<string> ExecuteAsync(long input, CancellationToken cancellationToken) =>
        (await store.TakeRolloversAsync(input, cancellationToken)).ToString(CultureInfo.InvariantCulture);
}

/// <summary>The payout token's address and decimals.</summary>
public sealed class GetPayoutTokenActivity(ITokenGateway gateway) : AistoActivity<long, PayoutTokenInfo>
{
    public override Task<PayoutTokenInfo> ExecuteAsync(long input, CancellationToken cancellationToken) =>
        gateway.GetPayoutTokenAsync(cancellationToken);
}

/// <summary>
/// The epoch's snapshot block: the chain head the first time, then always the stored one, so a retried or restarted
/// epoch snapshots the same balances and builds the same root — unless the chain no longer has the stored block (a
/// development chain that restarted empty): then the epoch takes the new chain's head, since no snapshot of the old
/// one can be read any more (found by the payout fault campaign: an epoch failed forever on a block the chain never
/// reached again).
/// </summary>
public sealed class PickSnapshotBlockActivity(
    IPayoutStore store, ITokenGateway gateway, EpochCalendar epochs, TimeProvider clock, ILogger<PickSnapshotBlockActivity> logger)
    : AistoActivity<long, long>
{
    public override async Task<long> ExecuteAsync(long input, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(input, cancellationToken)
            ?? new PayoutEpochRecord(input, PayoutEpochStatus.Running, epochs.StartOf(input), epochs.EndOf(input), clock.GetUtcNow());
        var block = await gateway.GetBlockNumberAsync(cancellationToken);
        if (record.SnapshotBlock is { } stored)
        {
            if (stored <= block)
            {
                return stored;
            }

            logger.LogWarning(
                "Epoch {Epoch}: its snapshot block {Stored} is past the chain's head {Head} (the chain restarted); snapshotting the head",
                input, stored, block);
        }

        await store.SaveAsync(record with { SnapshotBlock = block, UpdatedAt = clock.GetUtcNow() }, cancellationToken);
        return block;
    }
}

/// <summary>Snapshots the holders, splits the pool and builds the Merkle tree; returns the root and totals.</summary>
public sealed class ComputeEpochDistributionActivity(EpochDistributionBuilder builder)
    : AistoActivity<EpochDistributionInput, EpochDistributionSummary>
{
    public override async Task<EpochDistributionSummary> ExecuteAsync(EpochDistributionInput input, CancellationToken cancellationToken) =>
        (await builder.BuildAsync(input, cancellationToken)).Summarize();
}

/// <summary>
/// Publishes and funds the epoch's root, unless the chain already has this epoch (a retry, or a crash after the
/// transaction was mined): then nothing is sent. Another root already published for the epoch is an error.
/// Records the epoch as Published with the transaction.
/// </summary>
public sealed class PublishEpochActivity(IPayoutStore store, ITokenGateway gateway, TimeProvider clock)
    : AistoActivity<PublishEpochInput, PublishEpochResult>
{
    public override async Task<PublishEpochResult> ExecuteAsync(PublishEpochInput input, CancellationToken cancellationToken)
    {
        // 1. Already on chain? Then only the same root counts as done.
        var already = true;
        var published = await gateway.FindPublishedEpochAsync(input.Epoch, cancellationToken);
        if (published is null)
        {
            already = false;
            try
            {
                published = await gateway.PublishEpochAsync(
                    input.Epoch, input.MerkleRoot, System.Numerics.BigInteger.Parse(input.Amount, CultureInfo.InvariantCulture), cancellationToken);
            }
            catch (ContractRevertedException e) when (e.ErrorName == "EpochAlreadyPublished")
            {
                // Another attempt of this activity won the race; read what it published.
                already = true;
                published = await gateway.FindPublishedEpochAsync(input.Epoch, cancellationToken)
                    ?? throw new InvalidOperationException($"Epoch {input.Epoch} reverted as published but is not on chain.", e);
            }
        }

        if (!string.Equals(published.MerkleRoot, input.MerkleRoot, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Epoch {input.Epoch} is already published with root {published.MerkleRoot}, not {input.MerkleRoot}; refusing to pay it differently.");
        }

        // 2. Record the publication, then (tests only) hang where a crash hurts most.
        var tx = published.Transaction;
        if (await store.GetAsync(input.Epoch, cancellationToken) is { Status: not PayoutEpochStatus.Completed } record)
        {
            await store.SaveAsync(
                record with
                {
                    Status = PayoutEpochStatus.Published,
                    MerkleRoot = published.MerkleRoot,
                    PublishTxHash = tx.TransactionHash,
                    PublishBlock = tx.BlockNumber,
                    PublishGasUsed = tx.GasUsed,
                    UpdatedAt = clock.GetUtcNow(),
                },
                cancellationToken);
        }

        await PayoutFaultPoints.HangIfSetAsync(PayoutFaultPoints.HangAfterPublish);
        return new PublishEpochResult(already, tx.TransactionHash, tx.BlockNumber, tx.GasUsed);
    }
}

/// <summary>
/// Stores the epoch's allocations with their proofs and the final report (Completed). Rebuilds the distribution from
/// the same block and pool and refuses to store it if its root differs from the one published.
/// </summary>
public sealed class StoreEpochReportActivity(IPayoutStore store, EpochDistributionBuilder builder, TimeProvider clock)
    : AistoActivity<StoreEpochReportInput, bool>
{
    public override async Task<bool> ExecuteAsync(StoreEpochReportInput input, CancellationToken cancellationToken)
    {
        var epoch = input.Epoch.Epoch;
        var built = await builder.BuildAsync(input.Distribution, cancellationToken);
        if (built.Tree?.Root != input.Summary.MerkleRoot)
        {
            throw new InvalidOperationException(
                $"Epoch {epoch}: the rebuilt root {built.Tree?.Root ?? "(none)"} differs from {input.Summary.MerkleRoot ?? "(none)"}.");
        }

        // 1. Claims first: once the report says Completed, every proof it promises can be read.
        if (built.Tree is { } tree)
        {
            var claims = tree.Values
                .Select((a, i) => new EpochClaim(epoch, a.Account, a.Amount.ToString(CultureInfo.InvariantCulture), i, tree.GetProof(i)))
                .ToList();
            await store.SaveClaimsAsync(epoch, claims, cancellationToken);
        }

        // 2. The report.
        var now = clock.GetUtcNow();
        var record = await store.GetAsync(epoch, cancellationToken)
            ?? new PayoutEpochRecord(epoch, PayoutEpochStatus.Running, input.Epoch.PeriodStart, input.Epoch.PeriodEnd, now);
        var p = input.Publication;
        await store.SaveAsync(
            record with
            {
                Status = PayoutEpochStatus.Completed,
                Books = input.Books,
                DividendShare = input.Epoch.DividendShare,
                DividendPool = input.Distribution.Pool,
                CarriedOver = input.CarriedOver,
                PayoutToken = input.PayoutToken,
                SnapshotBlock = input.Distribution.SnapshotBlock,
                HolderCount = input.Summary.HolderCount,
                ExcludedHolders = input.Summary.ExcludedHolders,
                Paid = input.Summary.Paid,
                RolledOver = input.Summary.RolledOver,
                MerkleRoot = input.Summary.MerkleRoot,
                PublishTxHash = p?.TransactionHash,
                PublishBlock = p?.BlockNumber,
                PublishGasUsed = p?.GasUsed,
                FailureReason = null,
                UpdatedAt = now,
            },
            cancellationToken);
        return true;
    }
}

/// <summary>Records why the epoch failed (it can be started again; nothing published is published twice).</summary>
public sealed class FailPayoutEpochActivity(IPayoutStore store, EpochCalendar epochs, TimeProvider clock) : AistoActivity<FailPayoutEpochInput, bool>
{
    public override async Task<bool> ExecuteAsync(FailPayoutEpochInput input, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var record = await store.GetAsync(input.Epoch, cancellationToken)
            ?? new PayoutEpochRecord(input.Epoch, PayoutEpochStatus.Failed, epochs.StartOf(input.Epoch), epochs.EndOf(input.Epoch), now);
        await store.SaveAsync(record with { Status = PayoutEpochStatus.Failed, FailureReason = input.Reason, UpdatedAt = now }, cancellationToken);
        return true;
    }
}
