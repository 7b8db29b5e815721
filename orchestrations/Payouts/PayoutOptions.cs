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

    /// <summary>The allowlist as addresses, or null for everyone.</summary>
    public IReadOnlyList<string>? AllowlistAccounts()
    {
        var text = Allowlist.Trim();
        return text == "*"
            ? null
            : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
