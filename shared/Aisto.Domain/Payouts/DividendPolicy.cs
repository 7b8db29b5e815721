namespace Aisto.Domain.Payouts;

/// <summary>
/// How profit becomes a dividend pool: the share of profit paid out, and the payout token it is paid in
/// (its decimals and its USD price, 1 for a USD stablecoin).
/// </summary>
public sealed record DividendPolicy
{
    public DividendPolicy(decimal dividendShare, int payoutTokenDecimals, decimal usdPerPayoutToken = 1m)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dividendShare);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dividendShare, 1m);
        ArgumentOutOfRangeException.ThrowIfNegative(payoutTokenDecimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payoutTokenDecimals, 36);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(usdPerPayoutToken);
        DividendShare = dividendShare;
        PayoutTokenDecimals = payoutTokenDecimals;
        UsdPerPayoutToken = usdPerPayoutToken;
    }

    /// <summary>Fraction of the epoch's profit paid as dividends, 0–1.</summary>
    public decimal DividendShare { get; }

    public int PayoutTokenDecimals { get; }

    public decimal UsdPerPayoutToken { get; }
}
