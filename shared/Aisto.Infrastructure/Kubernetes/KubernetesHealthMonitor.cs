using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Kubernetes;

/// <summary>
/// Probes the API server of every Kubernetes region each <see cref="KubernetesOptions.HealthCheckInterval"/> in
/// every instance of the app (each instance needs to reach the cluster itself); see <see cref="KubernetesRegion.ProbeAsync"/>.
/// </summary>
public sealed class KubernetesHealthMonitor(IRegionDirectory regions, IOptions<KubernetesOptions> options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clusters = regions.Regions.Select(r => regions.Get(r.Id)).OfType<KubernetesRegion>().ToList();
        if (clusters.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.HealthCheckInterval, clock);
        do
        {
            await Task.WhenAll(clusters.Select(c => c.ProbeAsync(stoppingToken)));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
