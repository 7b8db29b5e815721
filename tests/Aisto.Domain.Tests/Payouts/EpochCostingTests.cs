using System.Collections.Immutable;
using Aisto.Domain.Ledger;
using Aisto.Domain.Payouts;
using CsCheck;

namespace Aisto.Domain.Tests.Payouts;

/// <summary>The close values metered GPU time at the configured infrastructure rates and DePIN rewards at the token's price.</summary>
public sealed class EpochCostingTests
{
    private const string Contributor = "0x00000000000000000000000000000000000000c1";
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly InfrastructureCostRates Rates = new(
        defaultGpuHourUsd: 1.00m,
        byModel: new Dictionary<string, decimal> { ["H100"] = 1.85m, ["L40S"] = 0.60m },
        byRegion: new Dictionary<string, IReadOnlyDictionary<string, decimal>>
        {
            ["singapore"] = new Dictionary<string, decimal> { ["H100"] = 2.10m },
        });

    [Theory]
    [InlineData("singapore", "H100", 2.10)] // the region's own rate for the model
    [InlineData("us-east", "H100", 1.85)]   // else the model's rate
    [InlineData("SINGAPORE", "l40s", 0.60)] // names match case-insensitively
    [InlineData("us-east", "A100", 1.00)]   // else the default
    public void A_gpu_hour_costs_the_regions_rate_else_the_models_else_the_default(string region, string model, decimal expected)
    {
        Assert.Equal(expected, Rates.GpuHourUsd(region, model));
    }

    [Fact]
    public void A_lease_charge_costs_its_gpus_times_its_period_at_its_regions_rate()
    {
        // 2 H100 in Singapore for 90 minutes = 3 GPU-hours at 2.10 USD.
        var charge = Metered(LedgerEntryKind.LeaseCharge, "lease-1", "tenant-a", TimeSpan.FromMinutes(90), usd: 8.97m);
        var costing = Costing(("lease-1", new MeteredGpuFootprint("singapore", "H100", 2000)));

        var close = EpochLedgerClose.Close(7, [charge], costing);

        Assert.Equal(8.97m, close.RevenueUsd);
        Assert.Equal(6.30m, close.InfrastructureCostUsd);
        Assert.Equal(3m, close.MeteredGpuHours);
        Assert.Equal(2.67m, close.ProfitUsd);
        Assert.Equal(0, close.UncostedLines);
    }

    [Fact]
    public void A_contributors_reward_is_a_cost_at_the_reward_tokens_price()
    {
        // 2.5 AISTO (18 decimals) at 0.40 USD.
        var reward = Metered(LedgerEntryKind.DepinReward, "task-1", Contributor, TimeSpan.FromHours(1), tokenAmount: "2500000000000000000");
        var costing = Costing(("task-1", new MeteredGpuFootprint("us-east", "L40S", 1000))) with
        {
            RewardValuation = new DepinRewardValuation(18, 0.40m),
        };

        var close = EpochLedgerClose.Close(7, [reward], costing);

        Assert.Equal(1.00m, close.DepinRewardsUsd);
        Assert.Equal(0m, close.InfrastructureCostUsd); // the contributor's own GPUs ran it
        Assert.Equal(-1.00m, close.ProfitUsd);
    }

    [Fact]
    public void A_task_on_the_platforms_own_pool_pays_nobody_but_its_gpu_time_costs()
    {
        var reward = Metered(LedgerEntryKind.DepinReward, "task-2", EpochCosting.DefaultPlatformAccount, TimeSpan.FromHours(2), tokenAmount: "4000000000000000000");
        var costing = Costing(("task-2", new MeteredGpuFootprint("us-east", "L40S", 500)));

        var close = EpochLedgerClose.Close(7, [reward], costing);

        Assert.Equal(0m, close.DepinRewardsUsd);
        Assert.Equal(0.60m, close.InfrastructureCostUsd); // 0.5 GPU × 2 h × 0.60
        Assert.Equal(1m, close.MeteredGpuHours);
    }

    [Fact]
    public void A_charge_whose_lease_is_unknown_keeps_its_revenue_and_is_counted_as_uncosted()
    {
        var close = EpochLedgerClose.Close(7, [Metered(LedgerEntryKind.LeaseCharge, "lease-gone", "tenant-a", TimeSpan.FromHours(1), usd: 5m)], Costing());

        Assert.Equal(5m, close.RevenueUsd);
        Assert.Equal(0m, close.InfrastructureCostUsd);
        Assert.Equal(1, close.UncostedLines);
    }

    [Fact]
    public void Without_costing_the_close_sums_only_what_is_already_in_usd()
    {
        var entries = new[]
        {
            Metered(LedgerEntryKind.LeaseCharge, "lease-1", "tenant-a", TimeSpan.FromHours(1), usd: 5m),
            Metered(LedgerEntryKind.DepinReward, "task-1", Contributor, TimeSpan.FromHours(1), tokenAmount: "1000000000000000000"),
        };

        var close = EpochLedgerClose.Close(7, entries);

        Assert.Equal(5m, close.ProfitUsd);
        Assert.Equal(1, close.UncostedLines);
    }

    [Fact]
    public void Gpu_time_cost_is_rounded_up_to_a_millionth_and_never_below_the_exact_cost()
    {
        Gen.Select(Gen.Long[0, 10_000_000_000_000L], Gen.Int[0, 100_000_000]).Sample((gpuMilliSeconds, centsTimes1e4) =>
        {
            var rate = centsTimes1e4 / 1_000_000m;
            var rates = new InfrastructureCostRates(rate);
            var exact = rate * gpuMilliSeconds / 3_600_000m;

            var cost = rates.CostUsd("any", "any", gpuMilliSeconds);

            Assert.InRange(cost - exact, 0m, 0.000001m);
            Assert.Equal(cost, Math.Round(cost, 6));
        });
    }

    [Fact]
    public void Reward_value_is_exact_for_large_18_decimal_amounts_and_rounded_up()
    {
        var valuation = new DepinRewardValuation(18, 0.25m);

        Assert.Equal(250_000_000.25m, valuation.UsdOf("1000000001000000000000000000")); // 10^9 + 1 tokens
        Assert.Equal(0.000001m, valuation.UsdOf("1"));                                 // one base unit costs something
        Assert.Throws<FormatException>(() => valuation.UsdOf("-5"));
    }

    [Fact]
    public void Negative_rates_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InfrastructureCostRates(-1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InfrastructureCostRates(1m, new Dictionary<string, decimal> { ["H100"] = -0.5m }));
    }

    private static EpochCosting Costing(params (string Reference, MeteredGpuFootprint Footprint)[] footprints) => new(
        Rates,
        new DepinRewardValuation(18, 1m),
        footprints.ToImmutableDictionary(f => f.Reference, f => f.Footprint, StringComparer.Ordinal));

    private static LedgerEntry Metered(LedgerEntryKind kind, string reference, string account, TimeSpan period, decimal usd = 0m, string? tokenAmount = null) =>
        new(7, $"{kind}-{reference}", kind, account, usd, Start, Start + period, reference, tokenAmount);
}
