using System.Collections.Immutable;

namespace Aisto.Domain.Payouts;

/// <summary>
/// How an epoch's costs are valued at the close: infrastructure rates applied to the metered GPU time, the USD value
/// of DePIN token rewards, and what each metered ledger line's <c>Reference</c> (lease id, DePIN task id) held.
/// </summary>
/// <param name="PlatformAccount">
/// The ledger account of the platform itself: a DePIN reward accrued to it (a task on the platform's own pool) pays
/// nobody, so it is not a cost; the GPU time that task ran on the platform's nodes is.
/// </param>
public sealed record EpochCosting(
    InfrastructureCostRates Rates,
    DepinRewardValuation RewardValuation,
    IReadOnlyDictionary<string, MeteredGpuFootprint> Footprints,
    string PlatformAccount = EpochCosting.DefaultPlatformAccount)
{
    public const string DefaultPlatformAccount = "platform";

    /// <summary>No infrastructure cost, rewards worth nothing: only lines already in USD count.</summary>
    public static EpochCosting None { get; } = new(
        InfrastructureCostRates.Free, DepinRewardValuation.Worthless, ImmutableDictionary<string, MeteredGpuFootprint>.Empty);
}
