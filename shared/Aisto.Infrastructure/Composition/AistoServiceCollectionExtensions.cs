using Aisto.Domain.Ledger;
using Aisto.Domain.Pricing;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Packing;
using Aisto.Domain.Scheduling.Pools;
using Aisto.Infrastructure.Depin;
using Aisto.Infrastructure.Incubation;
using Aisto.Infrastructure.Kubernetes;
using Aisto.Infrastructure.Leases;
using Aisto.Infrastructure.Ledger;
using Aisto.Infrastructure.Monitoring;
using Aisto.Infrastructure.Payouts;
using Aisto.Infrastructure.Regions;
using Aisto.Infrastructure.Scaling;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Ledger;
using Aisto.Orchestrations.Quotes;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Composition;

/// <summary>The composition root of everything below the triggers: options, stores, regions, domain services, activities.</summary>
public static class AistoServiceCollectionExtensions
{
    public static IServiceCollection AddAisto(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => o.NetworkTimeout > TimeSpan.Zero && o.MaxRetries is >= 0 and <= 10, "Aisto:Storage:NetworkTimeout must be positive and MaxRetries 0-10.")
            .ValidateOnStart();
        services.AddOptions<RegionsOptions>().BindConfiguration(RegionsOptions.Section)
            .Validate(o => o.Items.Count > 0 && o.Items.All(r => r.Id.Length > 0), "Aisto:Regions:Items must list at least one region with an id.")
            .ValidateOnStart();
        services.AddOptions<PricingOptions>().BindConfiguration(PricingOptions.Section)
            .Validate(o => o.GpuHourUsd.Count > 0, "Aisto:Pricing:GpuHourUsd must price at least one GPU model.")
            .ValidateOnStart();
        services.AddOptions<LedgerOptions>().BindConfiguration(LedgerOptions.Section)
            .Validate(o => o.EpochLength > TimeSpan.Zero, "Aisto:Ledger:EpochLength must be positive.")
            .ValidateOnStart();
        services.AddOptions<LeaseOptions>().BindConfiguration(LeaseOptions.Section)
            .Validate(o => o.QueueRetryInterval > TimeSpan.Zero && o.MeteringInterval > TimeSpan.Zero && o.ReadyPollInterval > TimeSpan.Zero,
                "Aisto:Leases intervals must be positive.")
            .ValidateOnStart();

        // Storage adapters.
        services.AddSingleton<AistoTables>();
        services.AddSingleton<ILeaseStore, TableLeaseStore>();
        services.AddSingleton<IInventoryStore, TableInventoryStore>();
        services.AddSingleton<InventoryWriteGate>();
        services.AddSingleton<ILedgerStore, TableLedgerStore>();
        services.AddMonitoring();

        // Regions: simulated unless configured otherwise; the booking sheet is seeded from them at start.
        services.AddSingleton<SimulatedRegionFaults>();
        services.AddSingleton<IRegionDirectory, ConfiguredRegionDirectory>();
        services.AddHostedService<InventorySeeder>();
        services.AddAutoscaling();
        services.AddKubernetesRegions();

        // Domain services, built from configuration.
        services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section)
            .Validate(o => PackingPolicies.Names.Contains(o.Policy, StringComparer.OrdinalIgnoreCase),
                $"Aisto:Scheduling:Policy must be one of {string.Join(", ", PackingPolicies.Names)}.")
            .Validate(
                o => o is { LeasingPoolPercent: >= 0, DepinPoolPercent: >= 0, IncubationPoolPercent: >= 0 }
                    && o.LeasingPoolPercent + o.DepinPoolPercent + o.IncubationPoolPercent == 100,
                "Aisto:Scheduling pool percents must be non-negative and sum to 100.")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SchedulingOptions>>().Value;
            return new PoolQuotas(o.LeasingPoolPercent, o.DepinPoolPercent, o.IncubationPoolPercent);
        });
        services.AddSingleton<IPlacementPolicy>(sp =>
            new FragmentationAwarePlacement(policy: sp.GetRequiredService<IOptions<SchedulingOptions>>().Value.Policy));
        services.AddSingleton(sp => CreatePriceBook(
            sp.GetRequiredService<IOptions<PricingOptions>>().Value, sp.GetRequiredService<IOptions<RegionsOptions>>().Value));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<LedgerOptions>>().Value;
            return new EpochCalendar(o.EpochOrigin, o.EpochLength);
        });

        // Application services and activities.
        services.AddSingleton<LeaseCommands>();
        services.AddSingleton<LeaseAdmission>();
        services.AddSingleton<QuoteService>();
        services.AddIncubation();
        services.AddSingleton<LeaseMeter>();
        services.AddSingleton<LeaseActivation>();
        services.AddSingleton<CapacityRelease>();
        services.AddPayouts();
        services.AddDepin();
        foreach (var activity in DurableTasks.Activities)
        {
            services.TryAddTransient(activity);
        }

        return services;
    }

    private static PriceBook CreatePriceBook(PricingOptions pricing, RegionsOptions regions) => new(
        new Dictionary<string, decimal>(pricing.GpuHourUsd, StringComparer.OrdinalIgnoreCase),
        regions.Items.ToDictionary(r => r.Id, r => r.PriceMultiplier, StringComparer.OrdinalIgnoreCase),
        pricing.ClassMultiplier);
}
