using System.Globalization;
using Aisto.Functions.Leases;
using Aisto.Orchestrations.Payouts;

namespace Aisto.Functions.Payouts;

/// <summary>The JSON shapes of ../API.md §Payouts: an epoch in the list, the full report, one claim.</summary>
public static class PayoutEpochResource
{
    public static object Summary(PayoutEpochRecord r) => new
    {
        epoch = r.Epoch,
        status = r.Status.ToString(),
        periodStart = r.PeriodStart,
        periodEnd = r.PeriodEnd,
        dividendPool = r.DividendPool,
        merkleRoot = r.MerkleRoot,
    };

    /// <summary>Everything needed to recompute the root: the allocations, in leaf-index order, and how the pool came about.</summary>
    public static object Report(PayoutEpochRecord r, IReadOnlyList<EpochClaim> claims) => new
    {
        epoch = r.Epoch,
        status = r.Status.ToString(),
        periodStart = r.PeriodStart,
        periodEnd = r.PeriodEnd,
        revenue = Money(r.Books?.RevenueUsd),
        costs = new
        {
            infrastructure = Money(r.Books?.InfrastructureCostUsd),
            depinRewards = Money(r.Books?.DepinRewardsUsd),
            incubationGrants = Money(r.Books?.IncubationGrantsUsd),
            meteredGpuHours = r.Books?.MeteredGpuHours.ToString("0.000000", CultureInfo.InvariantCulture),
            uncostedLines = r.Books?.UncostedLines,
        },
        profit = Money(r.Books?.ProfitUsd),
        dividendShare = r.DividendShare?.ToString(CultureInfo.InvariantCulture),
        carriedOver = r.CarriedOver,
        dividendPool = r.DividendPool,
        payoutToken = r.PayoutToken,
        snapshotBlock = r.SnapshotBlock,
        holderCount = r.HolderCount,
        excludedHolders = r.ExcludedHolders,
        paid = r.Paid,
        rolledOver = r.RolledOver,
        merkleRoot = r.MerkleRoot,
        publishTxHash = r.PublishTxHash,
        publishBlock = r.PublishBlock,
        failureReason = r.FailureReason,
        allocations = claims.Select(c => new { index = c.Index, account = c.Account, amount = c.Amount }),
    };

    public static object Claim(EpochClaim c) => new { epoch = c.Epoch, account = c.Account, amount = c.Amount, index = c.Index, proof = c.Proof };

    private static string? Money(decimal? usd) => usd is { } value ? LeaseResource.Money(value) : null;
}
