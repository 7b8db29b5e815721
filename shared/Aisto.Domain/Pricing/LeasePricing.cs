using Aisto.Domain.Leases;

namespace Aisto.Domain.Pricing;

/// <summary>
/// What a lease costs its tenant: the price book's hourly price for the GPUs it holds, except that an incubation
/// lease is paid from the tenant's incubation grant and so costs the tenant nothing.
/// </summary>
public static class LeasePricing
{
    /// <param name="utilization">Share of the model's GPUs in the region in use, 0–1 (moves the spot price).</param>
    public static decimal PricePerHour(PriceBook prices, LeaseRequest request, string region, decimal utilization = 0m)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(request);
        return request.Pool == LeasePool.Incubation
            ? 0m
            : prices.PricePerHour(request.GpuModel, region, request.Class, request.Gpu, utilization);
    }

    /// <summary>The price of the whole requested duration, rounded like every amount of money.</summary>
    public static decimal Total(decimal pricePerHour, decimal durationHours) => PriceBook.Round(pricePerHour * durationHours);
}
