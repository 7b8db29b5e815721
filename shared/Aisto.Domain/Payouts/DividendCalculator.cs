using System.Numerics;

namespace Aisto.Domain.Payouts;

/// <summary>
/// Turns an epoch's profit into a dividend pool and splits the pool pro rata to holder balances, exactly.
/// </summary>
/// <remarks>
/// Rounding, in full:
/// <list type="number">
/// <item>USD → base units rounds down (toward zero) to a whole base unit, so a pool never exceeds the profit share;
/// the sub-unit dust stays with the platform. A loss makes no pool (it is not carried against later profit).</item>
/// <item>The pool is split by largest remainder (Hamilton): every holder gets ⌊pool·balance/total⌋, and the base
/// units left over (fewer than the number of holders) go one each to the holders with the largest remainders,
/// ties broken by ascending account. The allocations therefore sum exactly to the pool and each differs from the
/// exact pro-rata share by less than one base unit.</item>
/// <item>The split is over all holders; a holder missing from the compliance allowlist is not paid and its share
/// rolls over whole to the next epoch's pool, so excluding someone never changes anyone else's amount.</item>
/// </list>
/// </remarks>
public sealed class DividendCalculator(DividendPolicy policy)
{
    public DividendPolicy Policy { get; } = policy ?? throw new ArgumentNullException(nameof(policy));

    /// <summary>The epoch's pool: its dividend share of profit in base units plus what the last epoch rolled over.</summary>
    public DividendPool ComputePool(EpochLedgerClose close, BigInteger carriedOver)
    {
        ArgumentNullException.ThrowIfNull(close);
        if (carriedOver.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(carriedOver), carriedOver, "A roll-over cannot be negative.");
        }

        var dividendUsd = close.ProfitUsd > 0 ? close.ProfitUsd * Policy.DividendShare : 0m;
        return new DividendPool(close.Epoch, close.ProfitUsd, Policy.DividendShare, dividendUsd, ToBaseUnits(dividendUsd), carriedOver);
    }

    /// <summary>Converts a USD amount to payout-token base units, rounding down to a whole base unit.</summary>
    public BigInteger ToBaseUnits(decimal usd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(usd);
        var tokens = usd / Policy.UsdPerPayoutToken;
        var whole = decimal.Truncate(tokens);
        var scale = BigInteger.Pow(10, Policy.PayoutTokenDecimals);
        // Split so the scaling never overflows decimal: the fraction is < 1, times 10^decimals fits for decimals ≤ 28.
        var fraction = tokens - whole;
        var fractionUnits = Policy.PayoutTokenDecimals <= 28
            ? new BigInteger(decimal.Truncate(fraction * DecimalPowerOfTen(Policy.PayoutTokenDecimals)))
            : new BigInteger(decimal.Truncate(fraction * DecimalPowerOfTen(28))) * BigInteger.Pow(10, Policy.PayoutTokenDecimals - 28);
        return new BigInteger(whole) * scale + fractionUnits;
    }

    private static decimal DecimalPowerOfTen(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10m;
        }

        return result;
    }

    /// <summary>Splits <paramref name="pool"/> among <paramref name="holders"/>; see the class remarks for rounding.</summary>
    /// <param name="allowlist">Accounts allowed to be paid (any spelling of the address).</param>
    /// <exception cref="ArgumentException">An account appears twice, or a balance is negative.</exception>
    public static DividendDistribution Distribute(
        BigInteger pool,
        IReadOnlyList<HolderBalance> holders,
        IEnumerable<string> allowlist)
    {
        ArgumentNullException.ThrowIfNull(holders);
        ArgumentNullException.ThrowIfNull(allowlist);
        if (pool.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pool), pool, "A pool cannot be negative.");
        }

        // 1. Normalize accounts, refuse duplicates and negative balances, drop empty balances.
        var allowed = new HashSet<string>(allowlist.Select(EthereumAddress.Normalize), StringComparer.Ordinal);
        var accounts = new List<string>(holders.Count);
        var balances = new List<BigInteger>(holders.Count);
        var seen = new HashSet<string>(holders.Count, StringComparer.Ordinal);
        var total = BigInteger.Zero;
        foreach (var holder in holders)
        {
            var account = EthereumAddress.Normalize(holder.Account);
            if (!seen.Add(account))
            {
                throw new ArgumentException($"Holder {account} appears twice in the snapshot.", nameof(holders));
            }

            if (holder.Balance.Sign < 0)
            {
                throw new ArgumentException($"Holder {account} has a negative balance.", nameof(holders));
            }

            if (holder.Balance.IsZero)
            {
                continue;
            }

            accounts.Add(account);
            balances.Add(holder.Balance);
            total += holder.Balance;
        }

        var count = accounts.Count;
        if (total.IsZero || pool.IsZero)
        {
            return new DividendDistribution(pool, [], BigInteger.Zero, pool, count, accounts.Count(a => !allowed.Contains(a)));
        }

        // 2. Floor of each exact share, and its remainder.
        var amounts = new BigInteger[count];
        var remainders = new BigInteger[count];
        var floored = BigInteger.Zero;
        for (var i = 0; i < count; i++)
        {
            amounts[i] = BigInteger.DivRem(pool * balances[i], total, out remainders[i]);
            floored += amounts[i];
        }

        // 3. Hand out the leftover base units (fewer than the holder count) by largest remainder, then account.
        var leftover = (int)(pool - floored);
        if (leftover > 0)
        {
            var order = new int[count];
            for (var i = 0; i < count; i++)
            {
                order[i] = i;
            }

            Array.Sort(order, (a, b) =>
            {
                var byRemainder = remainders[b].CompareTo(remainders[a]);
                return byRemainder != 0 ? byRemainder : string.CompareOrdinal(accounts[a], accounts[b]);
            });
            for (var k = 0; k < leftover; k++)
            {
                amounts[order[k]] += BigInteger.One;
            }
        }

        // 4. Pay the allowlisted, roll the rest over.
        var allocations = new List<DividendAllocation>(count);
        var paid = BigInteger.Zero;
        var excluded = 0;
        for (var i = 0; i < count; i++)
        {
            if (!allowed.Contains(accounts[i]))
            {
                excluded++;
                continue;
            }

            if (!amounts[i].IsZero)
            {
                allocations.Add(new DividendAllocation(accounts[i], amounts[i]));
                paid += amounts[i];
            }
        }

        allocations.Sort((a, b) => string.CompareOrdinal(a.Account, b.Account));
        return new DividendDistribution(pool, allocations, paid, pool - paid, count, excluded);
    }
}
