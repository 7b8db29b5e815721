using System.Globalization;
using System.Numerics;

namespace Aisto.Domain.Payouts;

/// <summary>
/// The USD value of DePIN rewards, which the ledger records in token base units (AISTO, minted to contributors):
/// base units ÷ 10^decimals × USD per token, rounded <b>up</b> to a millionth (a cost is never understated).
/// </summary>
public sealed record DepinRewardValuation
{
    public DepinRewardValuation(int tokenDecimals, decimal usdPerToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokenDecimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tokenDecimals, 28);
        ArgumentOutOfRangeException.ThrowIfNegative(usdPerToken);
        TokenDecimals = tokenDecimals;
        UsdPerToken = usdPerToken;
    }

    /// <summary>Rewards valued at nothing (what the close assumed before a token price was configured).</summary>
    public static DepinRewardValuation Worthless { get; } = new(18, 0m);

    public int TokenDecimals { get; }

    public decimal UsdPerToken { get; }

    /// <summary>USD value of <paramref name="baseUnits"/> (an integer string, as in <c>LedgerEntry.TokenAmount</c>).</summary>
    /// <exception cref="FormatException">Not a non-negative integer.</exception>
    public decimal UsdOf(string baseUnits)
    {
        ArgumentNullException.ThrowIfNull(baseUnits);
        if (!BigInteger.TryParse(baseUnits, NumberStyles.None, CultureInfo.InvariantCulture, out var units))
        {
            throw new FormatException($"'{baseUnits}' is not a token amount in base units.");
        }

        // Whole tokens and the remainder separately, so 18-decimal amounts never overflow decimal's 28 digits.
        var scale = BigInteger.Pow(10, TokenDecimals);
        var whole = BigInteger.DivRem(units, scale, out var remainder);
        var usd = ((decimal)whole * UsdPerToken) + ((decimal)remainder / (decimal)scale * UsdPerToken);
        return Math.Round(usd, 6, MidpointRounding.ToPositiveInfinity);
    }
}
