using Aisto.Domain.Payouts;

namespace Aisto.Orchestrations.Payouts;

/// <summary>
/// One epoch's payout as stored (and served as its report): status, closed books, pool, snapshot, root and the
/// publishing transaction. Token amounts are base-unit strings. Fields fill in as the orchestration gets further.
/// </summary>
public sealed record PayoutEpochRecord(
    long Epoch,
    PayoutEpochStatus Status,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    DateTimeOffset UpdatedAt)
{
    public EpochLedgerClose? Books { get; init; }

    public decimal? DividendShare { get; init; }

    /// <summary>What the epoch distributes: its share of profit in base units plus <see cref="CarriedOver"/>.</summary>
    public string? DividendPool { get; init; }

    /// <summary>Roll-overs of earlier epochs added to this epoch's pool.</summary>
    public string? CarriedOver { get; init; }

    public string? PayoutToken { get; init; }

    public long? SnapshotBlock { get; init; }

    public int? HolderCount { get; init; }

    public int? ExcludedHolders { get; init; }

    public string? Paid { get; init; }

    /// <summary>The excluded holders' shares (and an undistributable pool), handed to a later epoch.</summary>
    public string? RolledOver { get; init; }

    /// <summary>The epoch whose pool took <see cref="RolledOver"/>, once one has.</summary>
    public long? RolledOverInto { get; init; }

    public string? MerkleRoot { get; init; }

    public string? PublishTxHash { get; init; }

    public long? PublishBlock { get; init; }

    public long? PublishGasUsed { get; init; }

    public string? FailureReason { get; init; }
}

/// <summary>What one account can claim for an epoch: its allocation, leaf index and Merkle proof.</summary>
public sealed record EpochClaim(long Epoch, string Account, string Amount, int Index, IReadOnlyList<string> Proof);
