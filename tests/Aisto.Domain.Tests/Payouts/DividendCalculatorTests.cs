using System.Numerics;
using Aisto.Domain.Ledger;
using Aisto.Domain.Payouts;
using CsCheck;
using static Aisto.Domain.Tests.Payouts.PayoutBuilders;

namespace Aisto.Domain.Tests.Payouts;

public sealed class DividendCalculatorTests
{
    [Fact]
    public void Pool_is_the_dividend_share_of_profit_in_base_units_plus_the_roll_over()
    {
        var close = EpochLedgerClose.Close(7, [Line(LedgerEntryKind.LeaseCharge, 1234.5678919m, "a")]);
        var calculator = new DividendCalculator(new DividendPolicy(dividendShare: 0.5m, payoutTokenDecimals: 6));

        var pool = calculator.ComputePool(close, carriedOver: 3);

        // 617.28394595 USD → 617.283945 tokens, the last half base unit rounded down.
        Assert.Equal(617_283_945, pool.FromProfit);
        Assert.Equal(617_283_948, pool.Total);
    }

    [Theory]
    [InlineData("1", 18, "1000000000000000000")]
    [InlineData("79228162514.264337593543950335", 18, "79228162514264337593543950335")]
    [InlineData("0.0000009", 6, "0")]
    [InlineData("10", 0, "10")]
    public void Usd_converts_to_base_units_rounding_down_without_overflow(string usd, int decimals, string expected)
    {
        var calculator = new DividendCalculator(new DividendPolicy(1m, decimals));

        var units = calculator.ToBaseUnits(decimal.Parse(usd, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(BigInteger.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), units);
    }

    [Fact]
    public void Leftover_units_go_to_the_largest_remainders_then_to_the_lower_account()
    {
        // 100 split 1:1:1 → 33.33 each; one unit left, all remainders equal → lowest account gets it.
        var holders = new[] { Holder(3, 5), Holder(1, 5), Holder(2, 5) };

        var distribution = DividendCalculator.Distribute(100, holders, holders.Select(h => h.Account));

        Assert.Equal([34, 33, 33], distribution.Allocations.Select(a => (int)a.Amount));
        Assert.Equal(Account(1), distribution.Allocations[0].Account);
    }

    [Fact]
    public void Ties_beyond_128_bit_arithmetic_also_go_to_the_lower_accounts()
    {
        // (2^100 + 1) / 3 leaves 2 units over with three equal remainders; 2^100 · 2^40 needs more than 128 bits.
        var pool = (BigInteger.One << 100) + 1;
        var holders = new[] { Holder(2, BigInteger.One << 40), Holder(3, BigInteger.One << 40), Holder(1, BigInteger.One << 40) };

        var distribution = DividendCalculator.Distribute(pool, holders, holders.Select(h => h.Account));

        var third = pool / 3;
        Assert.Equal([(Account(1), third + 1), (Account(2), third + 1), (Account(3), third)], distribution.Allocations.Select(a => (a.Account, a.Amount)));
    }

    [Fact]
    public void A_holder_off_the_allowlist_is_not_paid_and_its_share_rolls_over()
    {
        var holders = new[] { Holder(1, 600), Holder(2, 300), Holder(3, 100) };

        var distribution = DividendCalculator.Distribute(1_000, holders, allowlist: [Account(1), Account(3)]);

        Assert.Equal([(Account(1), 600), (Account(3), 100)], distribution.Allocations.Select(a => (a.Account, (int)a.Amount)));
        Assert.Equal(300, distribution.RolledOver);
        Assert.Equal(1, distribution.ExcludedHolders);
        Assert.Equal(3, distribution.HolderCount);
    }

    [Fact]
    public void Nobody_holding_rolls_the_whole_pool_over()
    {
        var distribution = DividendCalculator.Distribute(1_000, [Holder(1, 0)], allowlist: [Account(1)]);

        Assert.Empty(distribution.Allocations);
        Assert.Equal(1_000, distribution.RolledOver);
    }

    [Fact]
    public void The_same_account_twice_is_refused_whatever_its_spelling()
    {
        var holders = new[] { new HolderBalance("0xAB" + new string('0', 38), 1), new HolderBalance("0xab" + new string('0', 38), 2) };

        Assert.Throws<ArgumentException>(() => DividendCalculator.Distribute(10, holders, []));
    }

    [Fact]
    public void Allocations_sum_exactly_to_the_pool()
    {
        Gen.Select(Pool, Holders).Sample((pool, holders) =>
        {
            var distribution = DividendCalculator.Distribute(pool, holders, holders.Select(h => h.Account));

            var sum = distribution.Allocations.Aggregate(BigInteger.Zero, (s, a) => s + a.Amount);
            return sum == pool && distribution.Paid == pool && distribution.RolledOver.IsZero;
        });
    }

    [Fact]
    public void Each_allocation_is_within_one_base_unit_of_the_exact_pro_rata_share()
    {
        Gen.Select(Pool, Holders).Sample((pool, holders) =>
        {
            var distribution = DividendCalculator.Distribute(pool, holders, holders.Select(h => h.Account));

            var total = holders.Aggregate(BigInteger.Zero, (s, h) => s + h.Balance);
            var amounts = distribution.Allocations.ToDictionary(a => a.Account, a => a.Amount);
            // |amount − pool·balance/total| < 1  ⇔  |amount·total − pool·balance| < total
            return holders.All(h => BigInteger.Abs(amounts.GetValueOrDefault(h.Account) * total - pool * h.Balance) < total);
        });
    }

    [Fact]
    public void Excluded_holders_shares_roll_over_exactly_and_nobody_else_changes()
    {
        Gen.Select(Pool, Holders, Gen.Bool.Array[60]).Sample((pool, holders, allowed) =>
        {
            var allowlist = holders.Where((_, i) => allowed[i]).Select(h => h.Account).ToList();

            var everyone = DividendCalculator.Distribute(pool, holders, holders.Select(h => h.Account));
            var some = DividendCalculator.Distribute(pool, holders, allowlist);

            var everyoneAmounts = everyone.Allocations.ToDictionary(a => a.Account, a => a.Amount);
            var excludedShare = everyone.Allocations.Where(a => !allowlist.Contains(a.Account)).Aggregate(BigInteger.Zero, (s, a) => s + a.Amount);
            return some.RolledOver == excludedShare
                && some.Paid + some.RolledOver == pool
                && some.Allocations.All(a => everyoneAmounts[a.Account] == a.Amount)
                && some.ExcludedHolders == holders.Length - allowlist.Count;
        });
    }

    [Fact]
    public void Scaling_every_balance_by_the_same_factor_changes_nothing()
    {
        // A factor of 2^64 moves most cases from 128-bit to BigInteger arithmetic: both must agree exactly.
        Gen.Select(Pool, Holders).Sample((pool, holders) =>
        {
            var scaled = holders.Select(h => h with { Balance = h.Balance << 64 }).ToArray();

            var a = DividendCalculator.Distribute(pool, holders, holders.Select(h => h.Account));
            var b = DividendCalculator.Distribute(pool, scaled, holders.Select(h => h.Account));

            return a.Allocations.SequenceEqual(b.Allocations);
        });
    }

    [Fact]
    public void The_split_does_not_depend_on_the_order_of_the_snapshot()
    {
        Gen.Select(Pool, Holders, Gen.Int).Sample((pool, holders, seed) =>
        {
            var shuffled = holders.ToArray();
            new Random(seed).Shuffle(shuffled);

            var a = DividendCalculator.Distribute(pool, holders, holders.Select(h => h.Account));
            var b = DividendCalculator.Distribute(pool, shuffled, holders.Select(h => h.Account));

            return a.Allocations.SequenceEqual(b.Allocations);
        });
    }
}
