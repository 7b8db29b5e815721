using System.Collections.Immutable;

namespace Aisto.Domain.Payouts;

/// <summary>
/// What one GPU-hour costs the platform (hardware, power, hosting), per region and GPU model: a region's own rate for
/// the model if it has one, else the model's rate, else <see cref="DefaultGpuHourUsd"/>. Names match case-insensitively.
/// </summary>
public sealed class InfrastructureCostRates
{
    private const decimal MilliSecondsPerGpuHour = 1000m * 3600m;

    public InfrastructureCostRates(
        decimal defaultGpuHourUsd,
        IReadOnlyDictionary<string, decimal>? byModel = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, decimal>>? byRegion = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(defaultGpuHourUsd);
        DefaultGpuHourUsd = defaultGpuHourUsd;
        ByModel = (byModel ?? ImmutableDictionary<string, decimal>.Empty).ToImmutableDictionary(StringComparer.OrdinalIgnoreCase);
        ByRegion = (byRegion ?? ImmutableDictionary<string, IReadOnlyDictionary<string, decimal>>.Empty)
            .ToImmutableDictionary(
                pair => pair.Key,
                pair => pair.Value.ToImmutableDictionary(StringComparer.OrdinalIgnoreCase),
                StringComparer.OrdinalIgnoreCase);
        var negative = ByModel.Concat(ByRegion.SelectMany(r => r.Value)).Where(pair => pair.Value < 0).Select(pair => pair.Key).ToList();
        if (negative.Count > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(byModel), $"GPU-hour costs must not be negative: {string.Join(", ", negative)}.");
        }
    }

    /// <summary>No cost at all (what the close assumed before rates were configured).</summary>
    public static InfrastructureCostRates Free { get; } = new(0m);

    public decimal DefaultGpuHourUsd { get; }

    public ImmutableDictionary<string, decimal> ByModel { get; }

    public ImmutableDictionary<string, ImmutableDictionary<string, decimal>> ByRegion { get; }

    /// <summary>USD per GPU-hour of <paramref name="gpuModel"/> in <paramref name="region"/>.</summary>
    public decimal GpuHourUsd(string region, string gpuModel) =>
        ByRegion.TryGetValue(region, out var models) && models.TryGetValue(gpuModel, out var regional) ? regional
        : ByModel.TryGetValue(gpuModel, out var model) ? model
        : DefaultGpuHourUsd;

    /// <summary>
    /// The cost of <paramref name="gpuMilliSeconds"/> (GPU thousandths × seconds) in USD, rounded <b>up</b> to a
    /// millionth so that rounding never makes a profit look larger than it was.
    /// </summary>
    public decimal CostUsd(string region, string gpuModel, long gpuMilliSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gpuMilliSeconds);
        var exact = GpuHourUsd(region, gpuModel) * gpuMilliSeconds / MilliSecondsPerGpuHour;
        return Math.Round(exact, 6, MidpointRounding.ToPositiveInfinity);
    }
}
