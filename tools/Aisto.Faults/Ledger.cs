using System.Globalization;
using Aisto.Domain.Ledger;
using Aisto.Domain.Pricing;
using Aisto.Infrastructure.Ledger;
using Aisto.Infrastructure.Storage;

namespace Aisto.Faults;

/// <summary>The ledger of the rig's tables, per reference (lease id, task id).</summary>
public sealed class Ledger(FaultRig rig)
{
    private static readonly EpochCalendar Calendar = new(
        DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture), TimeSpan.FromDays(1));

    private readonly TableLedgerStore store = new(new AistoTables(rig.Storage));

    public static EpochCalendar Epochs => Calendar;

    /// <summary>Every row of the ledger table that references <paramref name="reference"/>, in any partition (diagnostics).</summary>
    public async Task<string> DumpAsync(string reference)
    {
        var table = await new AistoTables(rig.Storage).GetAsync("ledger");
        var rows = new List<string>();
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.GetString("Reference") == reference))
        {
            rows.Add($"{row.PartitionKey}/{row.RowKey} {row.GetString("AmountUsd")} {row.GetDateTimeOffset("PeriodStart"):O}..{row.GetDateTimeOffset("PeriodEnd"):O} @{row.Timestamp:O}");
        }

        return string.Join("; ", rows);
    }

    /// <summary>Every entry of the epochs touching [from, to].</summary>
    public async Task<IReadOnlyList<LedgerEntry>> EntriesAsync(DateTimeOffset from, DateTimeOffset to)
    {
        var entries = new List<LedgerEntry>();
        for (var epoch = Calendar.EpochOf(from); epoch <= Calendar.EpochOf(to); epoch++)
        {
            entries.AddRange(await store.ListAsync(epoch));
        }

        return entries;
    }

    /// <summary>
    /// The lease was billed exactly once for every second it ran: its charges tile [activeAt, endedAt) with no gap and
    /// no overlap, each is the price × its whole seconds, and they add up to what the lease shows as charged.
    /// </summary>
    public static void CheckLease(
        FaultReport report, string leaseId, IReadOnlyList<LedgerEntry> entries, DateTimeOffset? activeAt, DateTimeOffset? endedAt, decimal pricePerHour, decimal chargedSoFar)
    {
        var charges = entries.Where(e => e.Reference == leaseId && e.Kind == LedgerEntryKind.LeaseCharge).OrderBy(e => e.PeriodStart).ToList();
        if (activeAt is null)
        {
            report.Check(charges.Count == 0 && chargedSoFar == 0m, () => $"lease {leaseId} never ran but was charged {charges.Sum(c => c.AmountUsd)} in {charges.Count} entries");
            return;
        }

        var cursor = activeAt.Value;
        var tiles = true;
        foreach (var charge in charges)
        {
            tiles &= charge.PeriodStart == cursor && charge.PeriodEnd > charge.PeriodStart;
            cursor = charge.PeriodEnd;
        }

        // Billing is in whole seconds: a last piece under a second charges nothing and writes no entry.
        var end = endedAt ?? cursor;
        report.Check(tiles && end >= cursor && end - cursor < TimeSpan.FromSeconds(1), () =>
            $"lease {leaseId}: charges do not tile [{activeAt:O}, {end:O}) once: {string.Join("; ", charges.Select(c => $"{c.PeriodStart:O}..{c.PeriodEnd:O}"))}");
        report.Check(charges.All(c => c.AmountUsd == Metering.Charge(pricePerHour, c.PeriodStart, c.PeriodEnd)), () =>
            $"lease {leaseId}: a charge is not price × seconds");
        report.Check(charges.Sum(c => c.AmountUsd) == chargedSoFar, () =>
            $"lease {leaseId}: ledger sum {charges.Sum(c => c.AmountUsd)} ≠ charged {chargedSoFar}");
    }
}
