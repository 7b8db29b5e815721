using Aisto.Domain.Ledger;

namespace Aisto.Domain.Payouts;

/// <summary>
/// An epoch's closed books: revenue − infrastructure cost − DePIN rewards − incubation grants = profit (USD).
/// </summary>
/// <remarks>
/// Ledger amounts are magnitudes whose direction comes from their kind (a cost is recorded as a positive number);
/// a negative amount is a correction of its kind (a refund lowers revenue, a credit note lowers a cost).
/// Infrastructure cost = infrastructure lines + the metered GPU time of lease charges and of DePIN tasks on the
/// platform's own pool, at the configured rate of their region and model (<see cref="EpochCosting"/>). DePIN rewards =
/// reward lines to contributors, valued in USD from their token amounts.
/// </remarks>
/// <param name="MeteredGpuHours">GPU-hours the infrastructure cost was computed from.</param>
/// <param name="UncostedLines">
/// Metered lines whose lease or task was not found, so their GPU time has no cost in this close (0 in a healthy ledger).
/// </param>
public sealed record EpochLedgerClose(
    long Epoch,
    decimal RevenueUsd,
    decimal InfrastructureCostUsd,
    decimal DepinRewardsUsd,
    decimal IncubationGrantsUsd,
    int EntryCount,
    decimal MeteredGpuHours = 0m,
    int UncostedLines = 0)
{
    public decimal CostsUsd => InfrastructureCostUsd + DepinRewardsUsd + IncubationGrantsUsd;

    public decimal ProfitUsd => RevenueUsd - CostsUsd;

    /// <summary>Sums the epoch's ledger lines by kind, with no GPU-time cost and rewards worth nothing.</summary>
    public static EpochLedgerClose Close(long epoch, IEnumerable<LedgerEntry> entries) => Close(epoch, entries, EpochCosting.None);

    /// <summary>
    /// Sums the epoch's ledger lines by kind and values its metered GPU time and DePIN rewards with
    /// <paramref name="costing"/>. A line seen twice (same entry id, same content) counts once.
    /// </summary>
    /// <exception cref="ArgumentException">A line belongs to another epoch.</exception>
    /// <exception cref="InvalidOperationException">Two different lines share one entry id.</exception>
    public static EpochLedgerClose Close(long epoch, IEnumerable<LedgerEntry> entries, EpochCosting costing)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(costing);
        var seen = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        decimal revenue = 0, infrastructure = 0, depin = 0, incubation = 0;
        long gpuMilliSeconds = 0;
        var uncosted = 0;

        // The GPU time a metered line stands for, at its region's and model's rate; false when nothing says what it held.
        bool AddGpuTime(LedgerEntry entry)
        {
            if (!costing.Footprints.TryGetValue(entry.Reference, out var footprint))
            {
                return false;
            }

            var seconds = (long)Math.Ceiling(Math.Max(0, (entry.PeriodEnd - entry.PeriodStart).TotalSeconds));
            var used = checked(footprint.GpuMilli * seconds);
            infrastructure += costing.Rates.CostUsd(footprint.Region, footprint.GpuModel, used);
            gpuMilliSeconds = checked(gpuMilliSeconds + used);
            return true;
        }

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
                case LedgerEntryKind.LeaseCharge:
                    revenue += entry.AmountUsd;
                    uncosted += AddGpuTime(entry) ? 0 : 1;
                    break;
                case LedgerEntryKind.InfrastructureCost:
                    infrastructure += entry.AmountUsd;
                    break;
                case LedgerEntryKind.DepinReward when string.Equals(entry.Account, costing.PlatformAccount, StringComparison.Ordinal):
                    // The platform's own pool ran the task: nobody is paid, but its GPUs cost.
                    uncosted += AddGpuTime(entry) ? 0 : 1;
                    break;
                case LedgerEntryKind.DepinReward:
                    // Lines already valued in USD keep their value; token-paid lines are valued from their base units.
                    depin += entry.AmountUsd != 0m || entry.TokenAmount is null ? entry.AmountUsd : costing.RewardValuation.UsdOf(entry.TokenAmount);
                    break;
                case LedgerEntryKind.IncubationGrant:
                    incubation += entry.AmountUsd;
                    break;
                default: throw new ArgumentOutOfRangeException(nameof(entries), entry.Kind, "Unknown ledger entry kind.");
            }
        }

        return new EpochLedgerClose(
            epoch, revenue, infrastructure, depin, incubation, seen.Count, Math.Round(gpuMilliSeconds / 3_600_000m, 6), uncosted);
    }
}
