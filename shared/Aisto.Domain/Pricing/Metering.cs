namespace Aisto.Domain.Pricing;

/// <summary>Per-second metering: what a running lease costs between two instants.</summary>
public static class Metering
{
    /// <summary>
    /// Charge for whole seconds in [from, to) at <paramref name="pricePerHour"/>; partial seconds are not billed.
    /// Rounded to 6 decimals half away from zero, once per interval.
    /// </summary>
    public static decimal Charge(decimal pricePerHour, DateTimeOffset from, DateTimeOffset to)
    {
        var seconds = BilledSeconds(from, to);
        return PriceBook.Round(pricePerHour * seconds / 3600m);
    }

    public static long BilledSeconds(DateTimeOffset from, DateTimeOffset to) =>
        to <= from ? 0 : (long)Math.Floor((to - from).TotalSeconds);
}
