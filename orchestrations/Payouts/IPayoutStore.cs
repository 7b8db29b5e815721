namespace Aisto.Orchestrations.Payouts;

/// <summary>Payout epochs, their allocations and proofs (PK epoch), and the roll-over hand-off between epochs.</summary>
public interface IPayoutStore
{
    Task<PayoutEpochRecord?> GetAsync(long epoch, CancellationToken cancellationToken = default);

    /// <summary>Every epoch record, newest first.</summary>
    Task<IReadOnlyList<PayoutEpochRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores the record as it is now (insert or replace).</summary>
    Task SaveAsync(PayoutEpochRecord record, CancellationToken cancellationToken = default);

    /// <summary>Inserts the record unless one exists; false when one did.</summary>
    Task<bool> TryCreateAsync(PayoutEpochRecord record, CancellationToken cancellationToken = default);

    /// <summary>Writes the epoch's claims (insert or replace, so a retry rewrites the same rows).</summary>
    Task SaveClaimsAsync(long epoch, IReadOnlyList<EpochClaim> claims, CancellationToken cancellationToken = default);

    Task<EpochClaim?> GetClaimAsync(long epoch, string account, CancellationToken cancellationToken = default);

    /// <summary>The epoch's claims in leaf-index order.</summary>
    Task<IReadOnlyList<EpochClaim>> ListClaimsAsync(long epoch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands every earlier completed epoch's roll-over not yet taken (or already taken by this epoch) to
    /// <paramref name="epoch"/> and returns their sum in base units; running it again returns the same sum.
    /// </summary>
    Task<System.Numerics.BigInteger> TakeRolloversAsync(long epoch, CancellationToken cancellationToken = default);
}
