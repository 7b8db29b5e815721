namespace Aisto.Orchestrations.Payouts;

/// <summary>
/// Input of <see cref="DividendEpochOrchestrator"/>: the epoch and the settings captured when it was started, so
/// replays and retries see the same values. A null <see cref="Allowlist"/> pays every holder.
/// </summary>
public sealed record PayoutEpochInput(
    long Epoch,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    decimal DividendShare,
    decimal UsdPerPayoutToken,
    IReadOnlyList<string>? Allowlist);

/// <summary>How an epoch's orchestration ended.</summary>
public sealed record PayoutEpochOutcome(long Epoch, PayoutEpochStatus Status, string? MerkleRoot, string? FailureReason);

/// <summary>Which distribution to build: the epoch's holders at <see cref="SnapshotBlock"/> sharing <see cref="Pool"/> base units.</summary>
public sealed record EpochDistributionInput(long Epoch, long SnapshotBlock, string Pool, IReadOnlyList<string>? Allowlist);

/// <summary>A built distribution, without its allocations (those can be many; they are rebuilt where needed).</summary>
public sealed record EpochDistributionSummary(
    string? MerkleRoot,
    string Paid,
    string RolledOver,
    int HolderCount,
    int ExcludedHolders,
    int AllocationCount);

/// <summary>Input of <see cref="PublishEpochActivity"/>.</summary>
public sealed record PublishEpochInput(long Epoch, string MerkleRoot, string Amount);

/// <summary>The epoch's publication on chain; <see cref="AlreadyPublished"/> when the activity found it there and sent nothing.</summary>
public sealed record PublishEpochResult(bool AlreadyPublished, string TransactionHash, long BlockNumber, long GasUsed);

/// <summary>Everything <see cref="StoreEpochReportActivity"/> needs to write the final report.</summary>
public sealed record StoreEpochReportInput(
    PayoutEpochInput Epoch,
    Aisto.Domain.Payouts.EpochLedgerClose Books,
    string CarriedOver,
    string PayoutToken,
    EpochDistributionInput Distribution,
    EpochDistributionSummary Summary,
    PublishEpochResult? Publication);

/// <summary>Input of <see cref="FailPayoutEpochActivity"/>.</summary>
public sealed record FailPayoutEpochInput(long Epoch, string Reason);
