using Aisto.Domain.Regions;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Regions;

/// <summary>The regions from configuration, each behind its adapter (simulated unless configured otherwise).</summary>
public sealed class ConfiguredRegionDirectory : IRegionDirectory
{
    private readonly Dictionary<string, IRegion> byId;

    public ConfiguredRegionDirectory(
        IOptions<RegionsOptions> options, AistoTables tables, SimulatedRegionFaults faults, TimeProvider clock)
    {
        var adapters = new List<IRegion>();
        foreach (var region in options.Value.Items)
        {
            var info = new RegionInfo(region.Id, region.DisplayName, new GeoPoint(region.Lat, region.Lon));
            adapters.Add(new SimulatedRegion(
                info, region.NodePools, options.Value.ProvisioningDelay, options.Value.NodeProvisioningDelay, tables, faults, clock));
        }

        byId = adapters.ToDictionary(a => a.Info.Id, StringComparer.OrdinalIgnoreCase);
        Regions = [.. adapters.Select(a => a.Info)];
    }

    public IReadOnlyList<RegionInfo> Regions { get; }

    public IRegion Get(string regionId) =>
        byId.TryGetValue(regionId, out var region) ? region : throw new KeyNotFoundException($"Unknown region '{regionId}'.");
}
