using Aisto.Domain.Ledger;

namespace Aisto.Orchestrations.Ledger;

/// <summary>The append-only ledger; appending an entry id twice keeps the first.</summary>
public interface ILedgerStore
{
    Task AppendAsync(LedgerEntry entry, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<LedgerEntry>> ListAsync(long epoch, CancellationToken cancellationToken = default);

    /// <summary>Every entry that references <paramref name="reference"/> in the given epochs.</summary>
    Task<decimal> SumByReferenceAsync(string reference, IEnumerable<long> epochs, CancellationToken cancellationToken = default);
}
