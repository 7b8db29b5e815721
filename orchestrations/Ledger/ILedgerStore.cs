using Aisto.Domain.Ledger;

namespace Aisto.Orchestrations.Ledger;

/// <summary>The append-only ledger; appending an entry id twice keeps the first.</summary>
public interface ILedgerStore
{
    /// <summary>Appends the entry unless its id is there already; returns the entry the ledger holds under that id.</summary>
    Task<LedgerAppend> AppendAsync(LedgerEntry entry, CancellationToken cancellationToken = default);

    /// <summary>The entry with this id in this epoch, or null.</summary>
    Task<LedgerEntry?> FindAsync(long epoch, string entryId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<LedgerEntry>> ListAsync(long epoch, CancellationToken cancellationToken = default);

    /// <summary>Every entry that references <paramref name="reference"/> in the given epochs.</summary>
    Task<decimal> SumByReferenceAsync(string reference, IEnumerable<long> epochs, CancellationToken cancellationToken = default);
}

/// <summary>The entry the ledger holds under an appended id, and whether this append wrote it.</summary>
public sealed record LedgerAppend(LedgerEntry Entry, bool Added);
