using Aisto.Domain.Scaling;
using Aisto.Orchestrations.Regions;
using Aisto.Orchestrations.Scaling;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Infrastructure.Scaling;

/// <summary>Registers autoscaling: options, demand and decision stores, the recorder, the forecaster.</summary>
public static class AutoscalingServiceCollectionExtensions
{
    public static IServiceCollection AddAutoscaling(this IServiceCollection services)
    {
        services.AddOptions<AutoscaleOptions>().BindConfiguration(AutoscaleOptions.Section)
            .Validate(
                o => o.SampleRetention > TimeSpan.Zero && o.HistoryRetention > TimeSpan.Zero && o.NodeLeadTime >= TimeSpan.Zero,
                "Aisto:Autoscale retentions must be positive and NodeLeadTime not negative.")
            .Validate(
                o => o.ForecastHorizon > TimeSpan.Zero && o.ForecastHorizon <= TimeSpan.FromHours(12),
                "Aisto:Autoscale:ForecastHorizon must be in (0, 12 h] (a recorded forecast must fit one table column).")
            .ValidateOnStart();
        services.AddSingleton<IDemandStore, TableDemandStore>();
        services.AddSingleton<IScalingDecisionStore, TableScalingDecisionStore>();
        services.AddSingleton<InventorySync>();
        services.AddSingleton<QueuedDemandReader>();
        services.AddSingleton<DemandRecorder>();
        services.AddSingleton<AutoscaleCommands>();
        services.AddSingleton<ScalingReport>();
        services.AddSingleton(new DemandForecaster(new ForecastOptions()));
        return services;
    }
}
