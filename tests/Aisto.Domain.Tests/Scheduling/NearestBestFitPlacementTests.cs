using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;

namespace Aisto.Domain.Tests.Scheduling;

public sealed class NearestBestFitPlacementTests
{
    private static readonly RegionInfo UsEast = new("us-east", "US East", new GeoPoint(39.04, -77.49));
    private static readonly RegionInfo Singapore = new("singapore", "Singapore", new GeoPoint(1.29, 103.85));
    private static readonly GeoPoint KualaLumpur = new(3.14, 101.69);

    private static RegionSnapshot Region(RegionInfo info, params NodeState[] nodes) => new(info, [.. nodes]);

    private static NodeState Node(string id, string region, int freeGpus, string model = "A100")
    {
        var node = new NodeState(id, region, model, 8, 64_000, 512 * 1024L);
        return freeGpus < 8
            ? node.TryAllocate("busy", ResourceRequest.For(model, GpuDemand.Whole(8 - freeGpus), 1, 1), "leasing")!.Value.Node
            : node;
    }

    private static PlacementRequest Wants(int gpus, GeoPoint? from = null, string? pinned = null, double? maxLatencyMs = null) =>
        new("lease", ResourceRequest.For("A100", GpuDemand.Whole(gpus), 4, 16), "leasing", pinned, from, maxLatencyMs);

    [Fact]
    public void The_nearest_region_with_room_wins()
    {
        var regions = new[] { Region(UsEast, Node("us-1", "us-east", 8)), Region(Singapore, Node("sg-1", "singapore", 8)) };

        var decision = new NearestBestFitPlacement().Place(regions, Wants(2, from: KualaLumpur));

        Assert.Equal("singapore", decision!.Region);
        Assert.InRange(decision.EstimatedLatencyMs, 5, 20);
    }

    [Fact]
    public void Inside_a_region_the_tightest_node_that_fits_wins()
    {
        var regions = new[] { Region(Singapore, Node("sg-1", "singapore", 8), Node("sg-2", "singapore", 3), Node("sg-3", "singapore", 2)) };

        var decision = new NearestBestFitPlacement().Place(regions, Wants(3));

        Assert.Equal("sg-2", decision!.NodeId);
    }

    [Fact]
    public void A_full_near_region_sends_the_request_to_the_next_one()
    {
        var regions = new[] { Region(UsEast, Node("us-1", "us-east", 8)), Region(Singapore, Node("sg-1", "singapore", 1)) };

        Assert.Equal("us-east", new NearestBestFitPlacement().Place(regions, Wants(4, from: KualaLumpur))!.Region);
    }

    [Fact]
    public void The_latency_budget_and_a_pinned_region_are_respected()
    {
        var regions = new[] { Region(UsEast, Node("us-1", "us-east", 8)), Region(Singapore, Node("sg-1", "singapore", 1)) };

        Assert.Null(new NearestBestFitPlacement().Place(regions, Wants(4, from: KualaLumpur, maxLatencyMs: 80)));
        Assert.Null(new NearestBestFitPlacement().Place(regions, Wants(4, pinned: "singapore")));
        Assert.Equal("us-east", new NearestBestFitPlacement().Place(regions, Wants(4, pinned: "us-east"))!.Region);
    }

    [Fact]
    public void A_region_that_is_down_is_skipped()
    {
        var regions = new[] { Region(Singapore, Node("sg-1", "singapore", 8)) with { IsUp = false }, Region(UsEast, Node("us-1", "us-east", 8)) };

        Assert.Equal("us-east", new NearestBestFitPlacement().Place(regions, Wants(1, from: KualaLumpur))!.Region);
    }

    [Fact]
    public void Round_trip_estimates_grow_with_distance()
    {
        Assert.True(KualaLumpur.EstimatedRttMsTo(Singapore.Location) < KualaLumpur.EstimatedRttMsTo(UsEast.Location));
        Assert.InRange(KualaLumpur.DistanceKmTo(Singapore.Location), 300, 330);
    }
}
