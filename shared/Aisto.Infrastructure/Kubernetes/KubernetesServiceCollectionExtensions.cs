using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Infrastructure.Kubernetes;

/// <summary>Registers what drives Kubernetes regions: options, health probes, reconciliation.</summary>
public static class KubernetesServiceCollectionExtensions
{
    public static IServiceCollection AddKubernetesRegions(this IServiceCollection services)
    {
        services.AddOptions<KubernetesOptions>().BindConfiguration(KubernetesOptions.Section)
            .Validate(
                o => o.HealthCheckInterval > TimeSpan.Zero && o.RequestTimeout > TimeSpan.Zero && o.OperationTimeout >= o.RequestTimeout &&
                    o.HealthFailureThreshold >= 1 && o.MaxRetries >= 0,
                "Aisto:Kubernetes: intervals and timeouts must be positive (OperationTimeout >= RequestTimeout), HealthFailureThreshold >= 1.")
            .ValidateOnStart();
        services.AddSingleton<KubernetesReconciler>();
        services.AddHostedService<KubernetesHealthMonitor>();
        return services;
    }
}
