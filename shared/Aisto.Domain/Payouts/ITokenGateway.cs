using System.Numerics;

namespace Aisto.Domain.Payouts;

/// <summary>
/// The token contracts as the payout workflow sees them: holder snapshots, one funded Merkle root per epoch, claims
/// and reward mints. Every write waits for its receipt; a contract revert surfaces as
/// <see cref="ContractRevertedException"/>.
/// </summary>
public interface ITokenGateway
{
    /// <summary>The token dividends are paid in (address and decimals), for reports and the pool conversion.</summary>
    Task<PayoutTokenInfo> GetPayoutTokenAsync(CancellationToken cancellationToken = default);

    /// <summary>The latest mined block: the natural snapshot block for an epoch being closed now.</summary>
    Task<long> GetBlockNumberAsync(CancellationToken cancellationToken = default);

    /// <summary>Every AISTO holder's balance at the end of <paramref name="blockNumber"/> (positive balances only, ascending by account).</summary>
    Task<IReadOnlyList<HolderBalance>> SnapshotHoldersAsync(long blockNumber, CancellationToken cancellationToken = default);

    /// <summary>The epoch as the distributor recorded it, or null when it has not been published.</summary>
    Task<PublishedEpoch?> FindPublishedEpochAsync(long epoch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes the epoch's root and funds it with <paramref name="amount"/> payout-token base units in one
    /// transaction (after approving the distributor). Idempotent: if the epoch is already published with this root
    /// the existing publication is returned; with another root it throws.
    /// </summary>
    Task<PublishedEpoch> PublishEpochAsync(long epoch, string merkleRoot, BigInteger amount, CancellationToken cancellationToken = default);

    /// <summary>Mints AISTO tokens to an account (DePIN contribution rewards).</summary>
    Task<ChainTransaction> MintRewardAsync(string account, BigInteger amount, CancellationToken cancellationToken = default);

    /// <summary>Claims the allocation at leaf <paramref name="index"/> for its account (anyone may submit it; the account is paid).</summary>
    Task<ChainTransaction> ClaimAsync(long epoch, int index, DividendAllocation allocation, IReadOnlyList<string> proof, CancellationToken cancellationToken = default);

    /// <summary>Whether leaf <paramref name="index"/> of the epoch has been claimed.</summary>
    Task<bool> IsClaimedAsync(long epoch, int index, CancellationToken cancellationToken = default);

    /// <summary>Returns an expired epoch's unclaimed funds to <paramref name="recipient"/>.</summary>
    Task<ChainTransaction> SweepEpochAsync(long epoch, string recipient, CancellationToken cancellationToken = default);

    Task<BigInteger> GetPayoutBalanceAsync(string account, CancellationToken cancellationToken = default);
}

/// <summary>The payout token's address and decimals.</summary>
public sealed record PayoutTokenInfo(string Address, int Decimals);

/// <summary>A mined transaction: where it landed and what it cost.</summary>
public sealed record ChainTransaction(string TransactionHash, long BlockNumber, long GasUsed);

/// <summary>An epoch as published on chain, with the publishing transaction (found again from its event when needed).</summary>
public sealed record PublishedEpoch(
    long Epoch,
    string MerkleRoot,
    BigInteger Amount,
    BigInteger Unclaimed,
    DateTimeOffset ClaimDeadline,
    ChainTransaction Transaction);
