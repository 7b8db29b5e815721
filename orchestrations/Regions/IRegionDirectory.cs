using Aisto.Domain.Regions;

namespace Aisto.Orchestrations.Regions;

/// <summary>Finds the <see cref="IRegion"/> adapter for a region id.</summary>
public interface IRegionDirectory
{
    IReadOnlyList<RegionInfo> Regions { get; }

    IRegion Get(string regionId);
}
