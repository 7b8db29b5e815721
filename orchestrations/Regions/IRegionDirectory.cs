using Aisto.Domain.Regions;

namespace Aisto.Orchestrations.Regions;

/// <summary>Finds the <see cref="IRegion"/> adapter for a region id.</summary>
public interface IRegionDirectory
{
    IReadOnlyList<RegionInfo> Regions { get; }

    IRegion Get(string regionId);

    /// <summary>False while the region's cluster fails its health checks: placement skips it.</summary>
    bool IsUp(string regionId);
}
