using Aisto.Infrastructure.Queues;
using Aisto.Orchestrations.Depin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Aisto.Infrastructure.Depin;

/// <summary>DePIN's composition: options, the store, the dispatcher, intake, and the Service Bus transport when chosen.</summary>
public static class DepinServiceCollectionExtensions
{
    public static IServiceCollection AddDepin(this IServiceCollection services)
    {
        services.AddOptions<DepinOptions>().BindConfiguration(DepinOptions.Section)
            .Validate(o => o.PoolPercent is >= 0 and <= 100, "Aisto:Depin:PoolPercent must be 0 to 100.")
            .Validate(o => o.QueueRetryInterval > TimeSpan.Zero && o.ReadyPollInterval > TimeSpan.Zero && o.MaxAttempts >= 1,
                "Aisto:Depin intervals must be positive and MaxAttempts at least 1.")
            .Validate(o => o.ReconcileMinimumAge >= TimeSpan.Zero, "Aisto:Depin:ReconcileMinimumAge must not be negative.")
            .Validate(o => o.DispatchViewMaxAge >= TimeSpan.Zero, "Aisto:Depin:DispatchViewMaxAge must not be negative.")
            .Validate(o => o.Transport != DepinTransport.ServiceBus || o.ServiceBusNamespace.Length > 0 || o.ServiceBusConnectionString.Length > 0,
                "Aisto:Depin:Transport ServiceBus needs ServiceBusNamespace or ServiceBusConnectionString.")
            .ValidateOnStart();
        services.AddSingleton<IDepinStore, TableDepinStore>();
        services.AddSingleton<DepinDispatcher>();
        services.AddSingleton<DepinTaskIntake>();
        services.AddSingleton<DepinReconciler>();
        services.AddSingleton<DepinCommands>();
        services.TryAddSingleton<StorageQueues>();
        services.AddHostedService<DepinTransportSelector>();
        return services;
    }
}
