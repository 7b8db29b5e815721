using Aisto.Domain.Ledger;
using Aisto.Domain.Payouts;
using static Aisto.Domain.Tests.Payouts.PayoutBuilders;

namespace Aisto.Domain.Tests.Payouts;

public sealed class EpochLedgerCloseTests
{
    [Fact]
    public void Profit_is_revenue_minus_infrastructure_depin_rewards_and_incubation_grants()
    {
        var entries = new[]
        {
            Line(LedgerEntryKind.LeaseCharge, 1000.50m, "lease-a/0"),
            Line(LedgerEntryKind.LeaseCharge, 499.50m, "lease-b/0"),
            Line(LedgerEntryKind.InfrastructureCost, 300m, "infra/us"),
            Line(LedgerEntryKind.DepinReward, 120m, "depin/p1", account: "0x00000000000000000000000000000000000000c1"),
            Line(LedgerEntryKind.IncubationGrant, 80m, "grant/x"),
        };

        var close = EpochLedgerClose.Close(7, entries);

        Assert.Equal(1500m, close.RevenueUsd);
        Assert.Equal(500m, close.CostsUsd);
        Assert.Equal(1000m, close.ProfitUsd);
        Assert.Equal(5, close.EntryCount);
    }

    [Fact]
    public void A_line_delivered_twice_counts_once()
    {
        var charge = Line(LedgerEntryKind.LeaseCharge, 10m, "lease-a/0");

        var close = EpochLedgerClose.Close(7, [charge, charge with { }]);

        Assert.Equal(10m, close.RevenueUsd);
        Assert.Equal(1, close.EntryCount);
    }

    [Fact]
    public void Two_different_lines_with_one_id_are_refused()
    {
        var entries = new[] { Line(LedgerEntryKind.LeaseCharge, 10m, "lease-a/0"), Line(LedgerEntryKind.LeaseCharge, 11m, "lease-a/0") };

        Assert.Throws<InvalidOperationException>(() => EpochLedgerClose.Close(7, entries));
    }

    [Fact]
    public void A_line_of_another_epoch_is_refused()
    {
        Assert.Throws<ArgumentException>(() => EpochLedgerClose.Close(7, [Line(LedgerEntryKind.LeaseCharge, 10m, "x", epoch: 8)]));
    }

    [Fact]
    public void Costs_above_revenue_give_a_loss_and_no_pool()
    {
        var close = EpochLedgerClose.Close(7, [Line(LedgerEntryKind.LeaseCharge, 10m, "a"), Line(LedgerEntryKind.InfrastructureCost, 25m, "b")]);

        var pool = new DividendCalculator(new DividendPolicy(0.5m, 6)).ComputePool(close, carriedOver: 42);

        Assert.Equal(-15m, close.ProfitUsd);
        Assert.Equal(0, pool.FromProfit);
        Assert.Equal(42, pool.Total);
    }
}
