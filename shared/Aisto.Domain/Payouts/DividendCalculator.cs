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

        // 2. Floor of each exact share; 3. the leftover base units (fewer than the holder count) go one each to the
        //    largest remainders, then the lower account.
        var amounts = pool.GetBitLength() + MaxBitLength(balances) <= 128 && total.GetBitLength() <= 128
            ? SplitInUInt128(pool, balances, total, accounts)
            : SplitInBigInteger(pool, balances, total, accounts);

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

        // Snapshots arrive ordered by account; sort only when they did not.
        if (!allocations.Zip(allocations.Skip(1)).All(p => string.CompareOrdinal(p.First.Account, p.Second.Account) < 0))
        {
            allocations.Sort((a, b) => string.CompareOrdinal(a.Account, b.Account));
        }
        return new DividendDistribution(pool, allocations, paid, pool - paid, count, excluded);
    }

    // The same arithmetic twice: in UInt128 when every product fits (typical pools and supplies; no allocation per
    // holder), else in BigInteger. Property tests exercise both.
    private static BigInteger[] SplitInUInt128(BigInteger pool, List<BigInteger> balances, BigInteger total, List<string> accounts)
    {
        var n = balances.Count;
        var p = (UInt128)pool;
        var t = (UInt128)total;
        var amounts = new BigInteger[n];
        var keys = new UInt128[n];
        UInt128 floored = 0;
        for (var i = 0; i < n; i++)
        {
            var product = p * (UInt128)balances[i];
            var quotient = product / t;
            amounts[i] = quotient;
            floored += quotient;
            keys[i] = UInt128.MaxValue - (product - quotient * t); // ascending key = descending remainder
        }

        var leftover = (int)(p - floored);
        foreach (var i in FirstByKeyThenAccount(keys, accounts, leftover))
        {
            amounts[i] += BigInteger.One;
        }

        return amounts;
    }

    private static BigInteger[] SplitInBigInteger(BigInteger pool, List<BigInteger> balances, BigInteger total, List<string> accounts)
    {
        var n = balances.Count;
        var amounts = new BigInteger[n];
        var remainders = new BigInteger[n];
        var floored = BigInteger.Zero;
        for (var i = 0; i < n; i++)
        {
            amounts[i] = BigInteger.DivRem(pool * balances[i], total, out remainders[i]);
            floored += amounts[i];
        }

        var leftover = (int)(pool - floored);
        if (leftover == 0)
        {
            return amounts;
        }

        // Order on a double image of each remainder, then exactly inside runs of equal doubles: BigInteger→double is
        // monotone, so a smaller key (larger double) always means a larger remainder.
        var keys = new double[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = -(double)remainders[i];
        }

        foreach (var i in FirstByKeyThenAccount(keys, accounts, leftover, (a, b) => remainders[b].CompareTo(remainders[a])))
        {
            amounts[i] += BigInteger.One;
        }

        return amounts;
    }

    /// <summary>
    /// The first <paramref name="count"/> indexes ordered by ascending key, then <paramref name="exact"/> (when keys
    /// only approximate the order), then ascending account.
    /// </summary>
    private static int[] FirstByKeyThenAccount<TKey>(TKey[] keys, List<string> accounts, int count, Comparison<int>? exact = null)
        where TKey : IEquatable<TKey>
    {
        if (count == 0)
        {
            return [];
        }

        var n = keys.Length;
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(keys, order);
        var tieBreak = Comparer<int>.Create((a, b) =>
        {
            var byExact = exact?.Invoke(a, b) ?? 0;
            return byExact != 0 ? byExact : string.CompareOrdinal(accounts[a], accounts[b]);
        });
        for (var start = 0; start < count;)
        {
            var end = start + 1;
            while (end < n && keys[end].Equals(keys[start]))
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(order, start, end - start, tieBreak);
            }

            start = end;
        }

        return order[..count];
    }

    private static long MaxBitLength(List<BigInteger> values)
    {
        var max = 0L;
        foreach (var value in values)
        {
            max = Math.Max(max, value.GetBitLength());
        }

        return max;
    }
}
