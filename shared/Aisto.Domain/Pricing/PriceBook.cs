using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;

namespace Aisto.Domain.Pricing;

/// <summary>
/// Prices per GPU-hour by model × region × class. A lease's hourly price is the GPU price times the GPUs it holds
/// (a share for a fractional GPU), rounded to the cent's ten-thousandth (6 decimals) half away from zero.
/// Spot is the one class whose price moves: it starts at the spot multiplier when the model's GPUs in the region
/// are idle and rises with the square of their utilization to the on-demand price when they are all in use.
/// </summary>
public sealed class PriceBook(
    IReadOnlyDictionary<string, decimal> usdPerGpuHourByModel,
    IReadOnlyDictionary<string, decimal> regionMultiplier,
    IReadOnlyDictionary<LeaseClass, decimal> classMultiplier)
{
    public const int MoneyDecimals = 6;

    public bool Knows(string model) => usdPerGpuHourByModel.ContainsKey(model);

    /// <param name="utilization">Share of the model's GPUs in the region in use, 0–1 (only spot prices depend on it).</param>
    public decimal GpuHourPrice(string model, string region, LeaseClass leaseClass, decimal utilization = 0m)
    {
        if (!usdPerGpuHourByModel.TryGetValue(model, out var basePrice))
        {
            throw new ArgumentException($"No price for GPU model '{model}'.", nameof(model));
        }

        var r = regionMultiplier.TryGetValue(region, out var rm) ? rm : 1m;
        var c = classMultiplier.TryGetValue(leaseClass, out var cm) ? cm : 1m;
        if (leaseClass == LeaseClass.Spot)
        {
            var onDemand = classMultiplier.TryGetValue(LeaseClass.OnDemand, out var om) ? om : 1m;
            var u = Math.Clamp(utilization, 0m, 1m);
            c += (onDemand - c) * u * u;
        }

        return Round(basePrice * r * c);
    }

    /// <param name="utilization">Share of the model's GPUs in the region in use, 0–1 (only spot prices depend on it).</param>
    public decimal PricePerHour(string model, string region, LeaseClass leaseClass, GpuDemand gpu, decimal utilization = 0m) =>
        Round(GpuHourPrice(model, region, leaseClass, utilization) * gpu.Gpus);

    public static decimal Round(decimal usd) => Math.Round(usd, MoneyDecimals, MidpointRounding.AwayFromZero);
}
