using System.Numerics;

namespace Aisto.Domain.Payouts;

/// <summary>
/// The amount an epoch distributes: its dividend share of profit converted to payout-token base units, plus what
/// the previous epoch rolled over.
/// </summary>
public sealed record DividendPool(
    long Epoch,
    decimal ProfitUsd,
    decimal DividendShare,
    decimal DividendUsd,
    BigInteger FromProfit,
    BigInteger CarriedOver)
{
    public BigInteger Total => FromProfit + CarriedOver;
}
