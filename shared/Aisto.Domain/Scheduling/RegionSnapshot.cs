using System.Collections.Immutable;
using Aisto.Domain.Regions;

namespace Aisto.Domain.Scheduling;

/// <summary>An immutable picture of one region's nodes at one moment, the input of every placement.</summary>
public sealed record RegionSnapshot(RegionInfo Region, ImmutableArray<NodeState> Nodes, bool IsUp = true)
{
    public int TotalGpus => Nodes.Sum(n => n.GpuCount);

    public decimal FreeGpus => Nodes.Sum(n => n.FreeGpuMilli) / (decimal)GpuDemand.MilliPerGpu;
}
