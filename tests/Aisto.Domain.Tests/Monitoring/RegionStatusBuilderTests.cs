using Aisto.Domain.Monitoring;
using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;
using CsCheck;

namespace Aisto.Domain.Tests.Monitoring;

public sealed class RegionStatusBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_pool_holding_more_than_its_share_shows_the_excess_as_borrowed()
    {
        // 16 H100: leasing's share is 8; leasing holds 10 (two beyond its share), DePIN holds 1 of its 7.2.
        var region = Fleet.Region("singapore")
            .Node("sg-1", gpus: 8, model: "H100").Holding("l1", 8, "leasing")
            .Node("sg-2", gpus: 8, model: "H100").Holding("l2", 2, "leasing").Holding("d1", 1, "depin");

        var h100 = RegionStatusBuilder.Build([region], [], [], Now).Single().Models.Single();

        var leasing = h100.Pools.Single(p => p.Pool == "leasing");
        var depin = h100.Pools.Single(p => p.Pool == "depin");
        Assert.Equal((8m, 10m, 2m, 0m), (leasing.Total, leasing.Allocated, leasing.Borrowed, leasing.Free));
        Assert.Equal((7.2m, 1m, 0m, 6.2m), (depin.Total, depin.Allocated, depin.Borrowed, depin.Free));
        Assert.Equal((16, 11m, 5m), (h100.Total, h100.Allocated, h100.Free));
        Assert.Equal(0.6875m, h100.Utilization);
    }

    [Fact]
    public void Pool_shares_of_a_model_add_up_to_its_gpus()
    {
        Gen.Int[0, 40].Select(Gen.Int[1, 8]).Sample((nodes, gpusPerNode) =>
        {
            var builder = Fleet.Region("r");
            for (var i = 0; i < nodes; i++)
            {
                builder.Node($"n{i}", gpus: gpusPerNode, model: "A100");
            }

            var models = RegionStatusBuilder.Build([builder], [], [], Now).Single().Models;
            return models.All(m => m.Pools.Sum(p => p.Total) == m.Total);
        });
    }

    [Fact]
    public void A_queued_lease_counts_where_it_may_run_pinned_ones_only_in_their_region()
    {
        RegionSnapshot us = Fleet.Region("us-east").Node("us-1", model: "H100");
        RegionSnapshot sg = Fleet.Region("singapore").Node("sg-1", model: "H100");
        QueuedDemand[] queue =
        [
            new("H100", null, null, Now.AddMinutes(-10)),
            new("H100", "singapore", null, Now.AddMinutes(-2)),
            new("A100", null, null, Now.AddMinutes(-1)),
        ];

        var statuses = RegionStatusBuilder.Build([us, sg], queue, [], Now);

        Assert.Equal(1, statuses[0].Models.Single().QueueLength);
        Assert.Equal(2, statuses[1].Models.Single().QueueLength);
        Assert.Equal(600, statuses[1].Models.Single().OldestQueuedSeconds);
    }

    [Fact]
    public void Waits_are_the_nearest_rank_p50_and_p95_of_the_leases_that_started_in_that_region_model_and_pool()
    {
        RegionSnapshot sg = Fleet.Region("singapore").Node("sg-1", model: "H100");
        var waits = Enumerable.Range(1, 20)
            .Select(i => new WaitSample("singapore", "H100", "leasing", TimeSpan.FromSeconds(i), Now))
            .Append(new WaitSample("us-east", "H100", "leasing", TimeSpan.FromHours(1), Now))
            .Append(new WaitSample("singapore", "A100", "leasing", TimeSpan.FromHours(1), Now))
            .ToList();

        var h100 = RegionStatusBuilder.Build([sg], [], waits, Now).Single().Models.Single();

        Assert.Equal(new WaitPercentiles(20, 10, 19), h100.Wait);
        Assert.Equal(new WaitPercentiles(20, 10, 19), h100.Pools.Single(p => p.Pool == "leasing").Wait);
        Assert.Equal(WaitPercentiles.None, h100.Pools.Single(p => p.Pool == "depin").Wait);
    }

    [Fact]
    public void Percentiles_lie_within_the_samples_and_p50_never_exceeds_p95()
    {
        Gen.Double[0, 1e6].Array[1, 200].Sample(values =>
        {
            var wait = Percentiles.Of(values.Select(TimeSpan.FromSeconds));
            return wait.Samples == values.Length &&
                wait.P50Seconds <= wait.P95Seconds &&
                wait.P50Seconds >= Math.Round(values.Min(), 3) - 0.001 &&
                wait.P95Seconds <= Math.Round(values.Max(), 3) + 0.001;
        });
    }
}

/// <summary>Regions with nodes and holdings per pool: <c>Region("sg").Node("sg-1", model: "H100").Holding("l1", 2, "leasing")</c>.</summary>
internal static class Fleet
{
    public static FleetRegionBuilder Region(string id) => new(id);
}

internal sealed class FleetRegionBuilder(string id)
{
    private readonly List<NodeState> _nodes = [];

    public FleetRegionBuilder Node(string nodeId, int gpus = 8, string model = "A100")
    {
        _nodes.Add(new NodeState(nodeId, id, model, gpus, 96_000, 1024 * 1024));
        return this;
    }

    public FleetRegionBuilder Holding(string holderId, int gpus, string pool)
    {
        var last = _nodes[^1];
        _nodes[^1] = last.TryAllocate(holderId, ResourceRequest.For(last.Model, GpuDemand.Whole(gpus), 1, 1), pool)!.Value.Node;
        return this;
    }

    public RegionSnapshot ToSnapshot(bool isUp = true) => new(new RegionInfo(id, id, new GeoPoint(0, 0)), [.. _nodes], isUp);

    public static implicit operator RegionSnapshot(FleetRegionBuilder builder) => builder.ToSnapshot();
}
