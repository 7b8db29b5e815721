using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Monitoring;

/// <summary>Monitoring's composition: options, the alert port and stores, region status, and the observed lease store.</summary>
public static class MonitoringServiceCollectionExtensions
{
    /// <summary>Call after the lease store is registered: it is wrapped so every status change is observed.</summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.Section)
            .Validate(o => o.SnapshotInterval >= TimeSpan.FromMilliseconds(100) && o.WaitWindow > TimeSpan.Zero,
                "Aisto:Monitoring:SnapshotInterval must be at least 100 ms and WaitWindow positive.")
            .Validate(o => o.UtilizationHigh is > 0 and <= 1 && o.UtilizationLow is >= 0 and < 1 && o.QueueWaitSlo > TimeSpan.Zero,
                "Aisto:Monitoring thresholds: UtilizationHigh in (0, 1], UtilizationLow in [0, 1), QueueWaitSlo positive.")
            .ValidateOnStart();
        services.AddSingleton<ILeaseActivityStore, TableLeaseActivityStore>();
        services.AddSingleton<IAlertStore, TableAlertStore>();
        services.AddSingleton<AlertFeed>();
        services.AddSingleton<IAlertSink, AlertService>();
        services.AddSingleton<RegionStatusReader>();
        services.AddSingleton<ThresholdAlertEvaluator>();

        var leaseStore = services.LastOrDefault(d => d.ServiceType == typeof(ILeaseStore))
            ?? throw new InvalidOperationException("Register the lease store before AddMonitoring.");
        services.Remove(leaseStore);
        services.AddSingleton<ILeaseStore>(sp => new ObservedLeaseStore(
            Inner(sp, leaseStore),
            sp.GetRequiredService<ILeaseActivityStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ObservedLeaseStore>>()));
        return services;
    }

    private static ILeaseStore Inner(IServiceProvider services, ServiceDescriptor descriptor) =>
        (ILeaseStore)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
