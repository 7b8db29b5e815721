using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;
using static Aisto.Domain.Tests.Scheduling.Build;

namespace Aisto.Domain.Tests.Scheduling;

/// <summary>The runtime's placement port: region choice by latency, node choice by the packing policy.</summary>
public sealed class FragmentationAwarePlacementTests
{
    private static readonly GeoPoint InSingapore = new(1.30, 103.85);

    private static PlacementRequest Lease(int gpus, string model = "A100", double? maxLatencyMs = null) =>
        new("lease-1", ResourceRequest.For(model, GpuDemand.Whole(gpus), 8, 64), "leasing", ClientLocation: InSingapore, MaxLatencyMs: maxLatencyMs);

    [Fact]
    public void The_nearest_region_with_room_gets_the_request()
    {
        RegionSnapshot usEast = Region("us-east", 39.0, -77.5).Node("us-1");
        RegionSnapshot singapore = Region("singapore").Node("sg-1", gpus: 8, model: "A100");

        var decision = new FragmentationAwarePlacement().Place([usEast, singapore], Lease(2));

        Assert.Equal(("singapore", "sg-1"), (decision!.Region, decision.NodeId));
    }

    [Fact]
    public void A_full_nearest_region_passes_the_request_to_the_next_within_budget()
    {
        RegionSnapshot singapore = Region("singapore").Node("sg-1", gpus: 8).Holding("other", 8);
        RegionSnapshot malaysia = Region("malaysia", 3.14, 101.69).Node("my-1", gpus: 8);

        var decision = new FragmentationAwarePlacement().Place([singapore, malaysia], Lease(2, maxLatencyMs: 60));

        Assert.Equal("malaysia", decision!.Region);
    }

    [Fact]
    public void No_region_within_the_latency_budget_means_no_placement()
    {
        RegionSnapshot usEast = Region("us-east", 39.0, -77.5).Node("us-1");

        var decision = new FragmentationAwarePlacement().Place([usEast], Lease(1, maxLatencyMs: 50));

        Assert.Null(decision);
    }

    [Fact]
    public void Inside_a_region_the_busy_node_is_filled_before_an_idle_one_is_broken()
    {
        RegionSnapshot singapore = Region("singapore").Node("sg-idle").Node("sg-busy").Holding("other", 4);

        var decision = new FragmentationAwarePlacement().Place([singapore], Lease(2));

        Assert.Equal("sg-busy", decision!.NodeId);
    }

    [Fact]
    public void Only_nodes_of_an_allowed_model_are_used()
    {
        RegionSnapshot singapore = Region("singapore").Node("sg-a100", model: "A100").Node("sg-h100", model: "H100");

        var decision = new FragmentationAwarePlacement().Place([singapore], Lease(1, model: "H100"));

        Assert.Equal("sg-h100", decision!.NodeId);
    }

    [Fact]
    public void A_cycle_books_each_placement_so_later_requests_see_it()
    {
        RegionSnapshot singapore = Region("singapore").Node("sg-1", gpus: 8);
        RegionSnapshot malaysia = Region("malaysia", 3.14, 101.69).Node("my-1", gpus: 8);
        var cycle = new FragmentationAwarePlacement().StartCycle([singapore, malaysia]);

        var decisions = new[] { "a", "b", "c" }
            .Select(id => cycle.Place(Lease(4) with { HolderId = id })?.Region)
            .ToList();

        Assert.Equal(["singapore", "singapore", "malaysia"], decisions);
    }

    [Fact]
    public void Releasing_in_a_cycle_frees_the_GPUs_for_the_next_request()
    {
        RegionSnapshot singapore = Region("singapore").Node("sg-1", gpus: 8);
        var cycle = new FragmentationAwarePlacement().StartCycle([singapore]);
        cycle.Place(Lease(8) with { HolderId = "first" });

        var beforeRelease = cycle.Place(Lease(8) with { HolderId = "second" });
        cycle.Release("first");
        var afterRelease = cycle.Place(Lease(8) with { HolderId = "third" });

        Assert.Null(beforeRelease);
        Assert.Equal("sg-1", afterRelease!.NodeId);
    }
}
