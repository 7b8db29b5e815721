using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Packing;

namespace Aisto.Domain.Tests.Scheduling;

/// <summary>Fluent fixtures: <c>Cluster().Node("n1", gpus: 8, model: "A100")</c> and <c>Region("singapore").Node(...)</c>.</summary>
internal static class Build
{
    public static ClusterBuilder Cluster() => new();

    public static RegionBuilder Region(string id, double lat = 1.35, double lon = 103.82) => new(id, new GeoPoint(lat, lon));

    public static PackingRequest Gpus(int count, int cpuCores = 4, int memoryGiB = 16) =>
        PackingRequest.Whole(count, cpuCores * 1000, memoryGiB * 1024L);

    public static PackingRequest Share(int milli, int cpuCores = 2, int memoryGiB = 8) =>
        PackingRequest.Shared(milli, cpuCores * 1000, memoryGiB * 1024L);

    public static PackingRequest CpuOnly(int cpuCores, int memoryGiB = 8) =>
        PackingRequest.Whole(0, cpuCores * 1000, memoryGiB * 1024L);
}

internal sealed class ClusterBuilder
{
    private readonly List<PackingNodeSpec> _nodes = [];

    public ClusterBuilder Node(string name, int gpus = 8, string model = "A100", int cpuCores = 96, int memoryGiB = 768)
    {
        _nodes.Add(new PackingNodeSpec(name, model, gpus, cpuCores * 1000, memoryGiB * 1024L));
        return this;
    }

    public PackingCluster ToCluster() => new(_nodes);
}

internal sealed class RegionBuilder(string id, GeoPoint location)
{
    private readonly List<NodeState> _nodes = [];

    public RegionBuilder Node(string nodeId, int gpus = 8, string model = "A100", int cpuCores = 96, int memoryGiB = 768)
    {
        _nodes.Add(new NodeState(nodeId, id, model, gpus, cpuCores * 1000, memoryGiB * 1024L));
        return this;
    }

    /// <summary>Marks the last node's first <paramref name="gpus"/> GPUs as taken by <paramref name="holderId"/>.</summary>
    public RegionBuilder Holding(string holderId, int gpus)
    {
        var last = _nodes[^1];
        var taken = last.TryAllocate(holderId, ResourceRequest.For(last.Model, GpuDemand.Whole(gpus), 1, 1), "leasing")!.Value.Node;
        _nodes[^1] = taken;
        return this;
    }

    public RegionSnapshot ToSnapshot(bool isUp = true) =>
        new(new RegionInfo(id, id, location), [.. _nodes], isUp);

    public static implicit operator RegionSnapshot(RegionBuilder builder) => builder.ToSnapshot();
}
