using Aisto.Domain.Leases;

namespace Aisto.Infrastructure.Composition;

/// <summary>GPU-hour prices and class multipliers (<c>Aisto:Pricing</c>); region multipliers live with the regions.</summary>
public sealed class PricingOptions
{
    public const string Section = "Aisto:Pricing";

    public Dictionary<string, decimal> GpuHourUsd { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<LeaseClass, decimal> ClassMultiplier { get; set; } = [];
}

/// <summary>Placement (<c>Aisto:Scheduling</c>).</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Aisto:Scheduling";

    /// <summary>aisto (fragmentation-aware, the default), fgd, best-fit, dot-product or random-fit.</summary>
    public string Policy { get; set; } = "aisto";

    /// <summary>Guaranteed shares of each region's GPUs in percent; the three must sum to 100.</summary>
    public int LeasingPoolPercent { get; set; } = 50;

    public int DepinPoolPercent { get; set; } = 45;

    public int IncubationPoolPercent { get; set; } = 5;
}

/// <summary>Accounting periods (<c>Aisto:Ledger</c>).</summary>
public sealed class LedgerOptions
{
    public const string Section = "Aisto:Ledger";

    public DateTimeOffset EpochOrigin { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public TimeSpan EpochLength { get; set; } = TimeSpan.FromDays(1);
}
