using System.Numerics;
using Aisto.Domain.Ledger;
using Aisto.Domain.Payouts;
using CsCheck;

namespace Aisto.Domain.Tests.Payouts;

/// <summary>Short names for accounts, holders and ledger lines, and generators for the property tests.</summary>
internal static class PayoutBuilders
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A readable, distinct account for a small number: Account(7) = 0x00…07.</summary>
    public static string Account(int n) => "0x" + n.ToString("x40", System.Globalization.CultureInfo.InvariantCulture);

    public static HolderBalance Holder(int n, BigInteger balance) => new(Account(n), balance);

    public static LedgerEntry Line(LedgerEntryKind kind, decimal usd, string id, long epoch = 7, string account = "platform") =>
        new(epoch, id, kind, account, usd, Start, Start.AddDays(1), id);

    /// <summary>1–60 holders with distinct random accounts and balances up to 2^96, some of them tiny.</summary>
    public static readonly Gen<HolderBalance[]> Holders =
        Gen.Select(Gen.Byte.Array[20], Gen.Select(Gen.ULong, Gen.UInt, Gen.Int[0, 3]))
            .Select(t => new HolderBalance(
                "0x" + Convert.ToHexStringLower(t.Item1),
                t.Item2.Item3 == 0 ? t.Item2.Item2 % 10 + 1 : ((BigInteger)t.Item2.Item1 << 32) + t.Item2.Item2 + 1))
            .Array[1, 60]
            .Select(h => h.DistinctBy(x => x.Account).ToArray());

    /// <summary>Pools from 0 up to ~2^80 base units, small ones included so rounding dominates.</summary>
    public static readonly Gen<BigInteger> Pool =
        Gen.Select(Gen.ULong, Gen.UShort, Gen.Bool).Select((low, high, small) => small ? new BigInteger(low % 1000) : ((BigInteger)high << 64) + low);
}
