using Aisto.Domain.Ledger;

namespace Aisto.Domain.Payouts;

/// <summary>
/// An epoch's closed books: revenue − infrastructure cost − DePIN rewards − incubation grants = profit (USD).
/// </summary>
/// <remarks>
/// Ledger amounts are magnitudes whose direction comes from their kind (a cost is recorded as a positive number);
/// a negative amount is a correction of its kind (a refund lowers revenue, a credit note lowers a cost).
/// </remarks>
public sealed record EpochLedgerClose(
    long Epoch,
    decimal RevenueUsd,
    decimal InfrastructureCostUsd,
    decimal DepinRewardsUsd,
    decimal IncubationGrantsUsd,
    int EntryCount)
{
    public decimal CostsUsd => InfrastructureCostUsd + DepinRewardsUsd + IncubationGrantsUsd;

    public decimal ProfitUsd => RevenueUsd - CostsUsd;

    /// <summary>Sums the epoch's ledger lines by kind. A line seen twice (same entry id, same content) counts once.</summary>
    /// <exception cref="ArgumentException">A line belongs to another epoch.</exception>
    /// <exception cref="InvalidOperationException">Two different lines share one entry id.</exception>
    public static EpochLedgerClose Close(long epoch, IEnumerable<LedgerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var seen = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        decimal revenue = 0, infrastructure = 0, depin = 0, incubation = 0;
        foreach (var entry in entries)
        {
            if (entry.Epoch != epoch)
            {
                throw new ArgumentException(
                    $"Ledger entry '{entry.EntryId}' belongs to epoch {entry.Epoch}, not {epoch}.", nameof(entries));
            }

            if (!seen.TryAdd(entry.EntryId, entry))
            {
                // Entry ids are derived from the recorded fact, so a repeat is the same fact delivered twice.
                if (seen[entry.EntryId] != entry)
                {
                    throw new InvalidOperationException(
                        $"Ledger entry id '{entry.EntryId}' of epoch {epoch} is recorded with two different contents.");
                }

                continue;
            }

            switch (entry.Kind)
            {
                case LedgerEntryKind.LeaseCharge: revenue += entry.AmountUsd; break;
                case LedgerEntryKind.InfrastructureCost: infrastructure += entry.AmountUsd; break;
                case LedgerEntryKind.DepinReward: depin += entry.AmountUsd; break;
                case LedgerEntryKind.IncubationGrant: incubation += entry.AmountUsd; break;
                default: throw new ArgumentOutOfRangeException(nameof(entries), entry.Kind, "Unknown ledger entry kind.");
            }
        }

        return new EpochLedgerClose(epoch, revenue, infrastructure, depin, incubation, seen.Count);
    }
}
