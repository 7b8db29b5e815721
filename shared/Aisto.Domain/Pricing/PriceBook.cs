using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;

namespace Aisto.Domain.Pricing;

/// <summary>
/// Prices per GPU-hour by model × region × class. A lease's hourly price is the GPU price times the GPUs it holds
/// (a share for a fractional GPU), rounded to the cent's ten-thousandth (6 decimals) half away from zero.
/// </summary>
public sealed class PriceBook(
    IReadOnlyDictionary<string, decimal> usdPerGpuHourByModel,
    IReadOnlyDictionary<string, decimal> regionMultiplier,
    IReadOnlyDictionary<LeaseClass, decimal> classMultiplier)
{
    public const int MoneyDecimals = 6;

    public bool Knows(string model) => usdPerGpuHourByModel.ContainsKey(model);

    public decimal GpuHourPrice(string model, string region, LeaseClass leaseClass)
    {
        if (!usdPerGpuHourByModel.TryGetValue(model, out var basePrice))
        {
            throw new ArgumentException($"No price for GPU model '{model}'.", nameof(model));
        }

        var r = regionMultiplier.TryGetValue(region, out var rm) ? rm : 1m;
        var c = classMultiplier.TryGetValue(leaseClass, out var cm) ? cm : 1m;
        return Round(basePrice * r * c);
    }

    public decimal PricePerHour(string model, string region, LeaseClass leaseClass, GpuDemand gpu) =>
        Round(GpuHourPrice(model, region, leaseClass) * gpu.Gpus);

    public static decimal Round(decimal usd) => Math.Round(usd, MoneyDecimals, MidpointRounding.AwayFromZero);
}
