using Aisto.Domain.Leases;
using Aisto.Domain.Pricing;

namespace Aisto.Domain.Scheduling.Quoting;

/// <summary>
/// Prices a request in every region that may run it — one option per allowed region (the pinned one, or all
/// within the latency budget) whose nodes of the GPU model could hold it — best first. Nothing is booked.
/// </summary>
/// <remarks>
/// Best first means: options that can start now before options that must wait; then the shorter estimated wait
/// (unknown waits last); then the lower total price; then the lower estimated latency; then the region id.
/// </remarks>
public static class QuoteEngine
{
    public static IReadOnlyList<QuoteOption> Quote(CapacityOutlook outlook, LeaseRequest request, PriceBook prices)
    {
        ArgumentNullException.ThrowIfNull(outlook);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(prices);
        var options = new List<QuoteOption>();
        foreach (var (region, rtt) in RegionPreference.Order(outlook.Regions, request.ToPlacement("quote")))
        {
            if (!WaitForecaster.CouldEverHold(region, request))
            {
                continue;
            }

            var perHour = LeasePricing.PricePerHour(prices, request, region.Region.Id, Utilization(region, request.GpuModel));
            options.Add(new QuoteOption(
                region.Region,
                perHour,
                LeasePricing.Total(perHour, request.DurationHours),
                WaitForecaster.ForNewRequest(outlook, region, request),
                request.ClientLocation is null ? null : Math.Round(rtt, 1)));
        }

        return [.. options
            .OrderBy(o => o.StartsNow ? 0 : 1)
            .ThenBy(o => o.EstimatedWait ?? TimeSpan.MaxValue)
            .ThenBy(o => o.Total)
            .ThenBy(o => o.EstimatedLatencyMs ?? 0)
            .ThenBy(o => o.Region.Id, StringComparer.Ordinal)];
    }

    /// <summary>Share (0–1) of the model's GPU capacity in the region that is in use: what moves the spot price.</summary>
    public static decimal Utilization(RegionSnapshot region, string gpuModel)
    {
        ArgumentNullException.ThrowIfNull(region);
        long total = 0, free = 0;
        foreach (var node in region.Nodes)
        {
            if (string.Equals(node.Model, gpuModel, StringComparison.OrdinalIgnoreCase))
            {
                total += node.GpuCount * (long)GpuDemand.MilliPerGpu;
                free += node.FreeGpuMilli;
            }
        }

        return total == 0 ? 0m : (total - free) / (decimal)total;
    }
}
