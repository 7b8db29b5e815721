using Aisto.Domain.Regions;
using Aisto.Infrastructure.Kubernetes;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Regions;

/// <summary>
/// The regions from configuration, each behind its adapter: a region whose <c>Kubernetes</c> section names a
/// kubeconfig is driven through its cluster (<see cref="KubernetesRegion"/>), every other one is simulated.
/// </summary>
public sealed class ConfiguredRegionDirectory : IRegionDirectory, IAsyncDisposable
{
    private readonly Dictionary<string, IRegion> byId;

    public ConfiguredRegionDirectory(
        IOptions<RegionsOptions> options,
        AistoTables tables,
        SimulatedRegionFaults faults,
        TimeProvider clock,
        IOptions<KubernetesOptions>? kubernetes = null,
        ILoggerFactory? loggers = null)
    {
        var adapters = new List<IRegion>();
        foreach (var region in options.Value.Items)
        {
            var info = new RegionInfo(region.Id, region.DisplayName, new GeoPoint(region.Lat, region.Lon));
            if (region.Kubernetes.IsConfigured)
            {
                adapters.Add(new KubernetesRegion(
                    info,
                    KubernetesClientFactory.Create(region.Kubernetes),
                    region.Kubernetes,
                    kubernetes?.Value ?? new KubernetesOptions(),
                    (loggers ?? NullLoggerFactory.Instance).CreateLogger($"{typeof(KubernetesRegion).FullName}.{region.Id}"),
                    clock));
                continue;
            }

            adapters.Add(new SimulatedRegion(
                info, region.NodePools, options.Value.ProvisioningDelay, options.Value.NodeProvisioningDelay, tables, faults, clock));
        }

        byId = adapters.ToDictionary(a => a.Info.Id, StringComparer.OrdinalIgnoreCase);
        Regions = [.. adapters.Select(a => a.Info)];
    }

    public IReadOnlyList<RegionInfo> Regions { get; }

    /// <summary>The regions driven through Kubernetes (health checks and reconciliation run over these).</summary>
    public IReadOnlyList<KubernetesRegion> KubernetesRegions => [.. byId.Values.OfType<KubernetesRegion>()];

    public IRegion Get(string regionId) =>
        byId.TryGetValue(regionId, out var region) ? region : throw new KeyNotFoundException($"Unknown region '{regionId}'.");

    public bool IsUp(string regionId) =>
        !byId.TryGetValue(regionId, out var region) || region is not KubernetesRegion kubernetes || kubernetes.IsUp;

    public async ValueTask DisposeAsync()
    {
        foreach (var region in byId.Values.OfType<KubernetesRegion>())
        {
            await region.DisposeAsync();
        }
    }
}
