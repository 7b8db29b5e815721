using System.Globalization;
using Aisto.Domain.Ledger;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Ledger;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Ledger;

/// <summary>
/// The append-only ledger in table <c>ledger</c>: PK epoch, RK entry id. Entries are only ever inserted; inserting
/// an id that exists is a duplicate delivery and keeps the first.
/// </summary>
public sealed class TableLedgerStore(AistoTables tables) : ILedgerStore
{
    private const string Table = "ledger";

    public async Task<LedgerAppend> AppendAsync(LedgerEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await tables.GetAsync(Table, cancellationToken);
        try
        {
            await table.AddEntityAsync(ToEntity(entry), cancellationToken);
            return new LedgerAppend(entry, Added: true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Written before: the ledger already has this fact, and what it holds is the fact.
            var stored = await table.GetEntityAsync<TableEntity>(PartitionOf(entry.Epoch), entry.EntryId, cancellationToken: cancellationToken);
            return new LedgerAppend(FromEntity(stored.Value), Added: false);
        }
    }

    public async Task<LedgerEntry?> FindAsync(long epoch, string entryId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(epoch), entryId, cancellationToken: cancellationToken);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    public async Task<IReadOnlyList<LedgerEntry>> ListAsync(long epoch, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var entries = new List<LedgerEntry>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == PartitionOf(epoch), cancellationToken: cancellationToken))
        {
            entries.Add(FromEntity(e));
        }

        return entries;
    }

    public async Task<decimal> SumByReferenceAsync(string reference, IEnumerable<long> epochs, CancellationToken cancellationToken = default)
    {
        var total = 0m;
        foreach (var epoch in epochs.Distinct())
        {
            total += (await ListAsync(epoch, cancellationToken)).Where(e => e.Reference == reference).Sum(e => e.AmountUsd);
        }

        return total;
    }

    private static string PartitionOf(long epoch) => epoch.ToString("D10", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(LedgerEntry e) => new(PartitionOf(e.Epoch), e.EntryId)
    {
        ["Kind"] = e.Kind.ToString(),
        ["Account"] = e.Account,
        ["AmountUsd"] = e.AmountUsd.ToString(CultureInfo.InvariantCulture),
        ["PeriodStart"] = e.PeriodStart,
        ["PeriodEnd"] = e.PeriodEnd,
        ["Reference"] = e.Reference,
        ["TokenAmount"] = e.TokenAmount,
    };

    private static LedgerEntry FromEntity(TableEntity e) => new(
        long.Parse(e.PartitionKey, CultureInfo.InvariantCulture),
        e.RowKey,
        Enum.Parse<LedgerEntryKind>(e.GetString("Kind")),
        e.GetString("Account"),
        decimal.Parse(e.GetString("AmountUsd"), CultureInfo.InvariantCulture),
        e.GetDateTimeOffset("PeriodStart") ?? default,
        e.GetDateTimeOffset("PeriodEnd") ?? default,
        e.GetString("Reference"),
        e.GetString("TokenAmount"));
}
