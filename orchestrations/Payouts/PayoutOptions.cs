using Aisto.Domain.Payouts;

namespace Aisto.Orchestrations.Payouts;

/// <summary>Dividend epoch settings (<c>Aisto:Payouts</c>).</summary>
public sealed class PayoutOptions
{
    public const string Section = "Aisto:Payouts";

    /// <summary>NCRONTAB (six fields) of the timer that starts the epochs that are due.</summary>
    public string Schedule { get; set; } = "0 0 * * * *";

    /// <summary>Fraction of an epoch's profit paid as dividends, 0–1.</summary>
    public decimal DividendShare { get; set; } = 1m;

    /// <summary>USD price of one payout token (1 for a USD stablecoin).</summary>
    public decimal UsdPerPayoutToken { get; set; } = 1m;

    /// <summary>USD value of one DePIN reward token (AISTO) when the epoch's rewards are closed as a cost.</summary>
    public decimal UsdPerRewardToken { get; set; } = 1m;

    /// <summary>Decimals of the DePIN reward token (AISTO: 18).</summary>
    public int RewardTokenDecimals { get; set; } = 18;

    /// <summary>What a GPU-hour costs the platform, applied to the metered GPU time at the close.</summary>
    public InfrastructureCostOptions InfrastructureCost { get; set; } = new();

    /// <summary>
    /// The compliance allowlist: comma-separated addresses, or <c>*</c> for every holder (local runs). Holders not on
    /// it are not paid; their shares roll over to the next epoch.
    /// </summary>
    public string Allowlist { get; set; } = "*";

    /// <summary>
    /// How long after an epoch ends the timer waits before closing it, so the last metering of leases that ran
    /// across its end (every <c>Aisto:Leases:MeteringInterval</c>) is in the ledger.
    /// </summary>
    public TimeSpan SettlementDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How many of the most recent settled epochs the timer looks at (older ones are left to the operator).</summary>
    public int CatchUpEpochs { get; set; } = 3;

    /// <summary>The close's valuation of GPU time and rewards, with what each metered line's lease or task held.</summary>
    public EpochCosting Costing(IReadOnlyDictionary<string, MeteredGpuFootprint> footprints) => new(
        new InfrastructureCostRates(
            InfrastructureCost.DefaultGpuHourUsd,
            InfrastructureCost.GpuHourUsd,
            InfrastructureCost.Regions.ToDictionary(r => r.Key, r => (IReadOnlyDictionary<string, decimal>)r.Value, StringComparer.OrdinalIgnoreCase)),
        new DepinRewardValuation(RewardTokenDecimals, UsdPerRewardToken),
        footprints,
        Depin.DepinPlacement.Platform);

    /// <summary>The allowlist as addresses, or null for everyone.</summary>
    public IReadOnlyList<string>? AllowlistAccounts()
    {
        var text = Allowlist.Trim();
        return text == "*"
            ? null
            : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}

/// <summary>
/// Infrastructure cost per GPU-hour (<c>Aisto:Payouts:InfrastructureCost</c>): a region's rate for a model, else the
/// model's rate, else <see cref="DefaultGpuHourUsd"/>.
/// </summary>
public sealed class InfrastructureCostOptions
{
    /// <summary>USD per GPU-hour of a model that has no rate of its own.</summary>
    public decimal DefaultGpuHourUsd { get; set; } = 1m;

    /// <summary>USD per GPU-hour by GPU model.</summary>
    public Dictionary<string, decimal> GpuHourUsd { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per region (id), USD per GPU-hour by GPU model, where a region's costs differ.</summary>
    public Dictionary<string, Dictionary<string, decimal>> Regions { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
