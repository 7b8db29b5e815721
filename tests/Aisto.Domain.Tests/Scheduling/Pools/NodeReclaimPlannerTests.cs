using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;
using CsCheck;

namespace Aisto.Domain.Tests.Scheduling.Pools;

public sealed class NodeReclaimPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Two 8-GPU nodes of one model in one region: 16 GPUs, so leasing is owed 8, DePIN 7.2, incubation 0.8.</summary>
    private static List<NodeState> Region() =>
        [new NodeState("n1", "r", "A100", 8, 64_000, 512 * 1024), new NodeState("n2", "r", "A100", 8, 64_000, 512 * 1024)];

    private static NodeState Book(NodeState node, string id, int gpus, string pool, LeaseClass leaseClass, int minute) =>
        node.TryAllocate(id, ResourceRequest.For("A100", GpuDemand.Whole(gpus), 1, 1), pool,
            new BookingTerms(leaseClass, T0.AddMinutes(minute), T0.AddHours(1)))!.Value.Node;

    private static PlacementRequest Leasing(string id, int gpus) => new(id, ResourceRequest.For("A100", GpuDemand.Whole(gpus), 1, 1), "leasing");

    [Fact]
    public void Work_beyond_its_pools_guarantee_is_borrowed_and_the_earliest_bookings_fill_the_guarantee()
    {
        var nodes = Region();
        nodes[0] = Book(nodes[0], "inc-early", 1, "incubation", LeaseClass.Spot, 0);
        nodes[1] = Book(nodes[1], "inc-late", 4, "incubation", LeaseClass.Spot, 1);

        var pools = RegionPools.Of("r", nodes, PoolQuotas.Default);

        Assert.Equal(800, pools.Guaranteed[CapacityPool.Incubation]);
        Assert.True(pools.Work["inc-early"].Borrowed); // 1 GPU > 0.8 GPU guaranteed
        Assert.True(pools.Work["inc-late"].Borrowed);
        Assert.Equal(5000, pools.Held[CapacityPool.Incubation]);
    }

    [Fact]
    public void Reserved_work_may_not_borrow_but_other_classes_may()
    {
        var pools = RegionPools.Of("r", Region(), PoolQuotas.Default);

        Assert.False(pools.Admits(CapacityPool.Incubation, LeaseClass.Reserved, 1000));
        Assert.True(pools.Admits(CapacityPool.Incubation, LeaseClass.Spot, 8000));
        Assert.True(pools.Admits(CapacityPool.Leasing, LeaseClass.Reserved, 8000));
    }

    [Fact]
    public void The_leasing_pool_takes_its_guarantee_back_from_borrowed_spot_work_first()
    {
        // n1: an incubation spot lease borrowing 8 GPUs; n2: incubation on-demand borrowing 8 GPUs. Nothing is free.
        var nodes = Region();
        nodes[0] = Book(nodes[0], "spot", 8, "incubation", LeaseClass.Spot, 1);
        nodes[1] = Book(nodes[1], "od", 8, "incubation", LeaseClass.OnDemand, 0);

        var plan = NodeReclaimPlanner.Plan(nodes, Leasing("lease", 4), LeaseClass.OnDemand, PoolQuotas.Default, ["r"]);

        Assert.NotNull(plan);
        Assert.Equal("n1", plan.NodeId);
        Assert.Equal(["spot"], plan.Victims);
    }

    [Fact]
    public void A_DePIN_task_on_borrowed_quota_is_taken_before_a_borrowing_on_demand_lease()
    {
        // n1: DePIN tasks booked as spot hold 8 GPUs (beyond DePIN's 7.2); n2: an incubation on-demand lease borrows 8.
        var nodes = Region();
        nodes[0] = Book(nodes[0], "depin:t1", 8, "depin", LeaseClass.Spot, 1);
        nodes[1] = Book(nodes[1], "od", 8, "incubation", LeaseClass.OnDemand, 2);

        var plan = NodeReclaimPlanner.Plan(nodes, Leasing("lease", 4), LeaseClass.OnDemand, PoolQuotas.Default, ["r"]);

        Assert.NotNull(plan);
        Assert.Equal(["depin:t1"], plan.Victims);
    }

    [Fact]
    public void Reserved_work_and_work_within_its_guarantee_are_never_taken()
    {
        var nodes = Region();
        nodes[0] = Book(nodes[0], "reserved", 8, "incubation", LeaseClass.Reserved, 0);
        nodes[1] = Book(nodes[1], "depin", 7, "depin", LeaseClass.OnDemand, 0); // within DePIN's 7.2 GPUs

        var plan = NodeReclaimPlanner.Plan(nodes, Leasing("lease", 4), LeaseClass.OnDemand, PoolQuotas.Default, ["r"]);

        Assert.Null(plan);
    }

    [Fact]
    public void A_pool_already_at_its_guarantee_is_not_owed_and_spot_requests_never_preempt()
    {
        var nodes = Region();
        nodes[0] = Book(nodes[0], "lease-1", 8, "leasing", LeaseClass.OnDemand, 0);
        nodes[1] = Book(nodes[1], "spot", 8, "incubation", LeaseClass.Spot, 1);

        Assert.Null(NodeReclaimPlanner.Plan(nodes, Leasing("lease-2", 4), LeaseClass.OnDemand, PoolQuotas.Default, ["r"]));
        Assert.Null(NodeReclaimPlanner.Plan(Region(), Leasing("x", 4), LeaseClass.Spot, PoolQuotas.Default, ["r"]));
    }

    [Fact]
    public void Asking_again_returns_the_victims_already_picked_and_takes_nothing_more()
    {
        var nodes = Region();
        nodes[0] = Book(nodes[0], "spot-a", 4, "incubation", LeaseClass.Spot, 1);
        nodes[0] = Book(nodes[0], "spot-b", 4, "incubation", LeaseClass.Spot, 2);
        nodes[1] = Book(nodes[1], "spot-c", 8, "incubation", LeaseClass.Spot, 3);
        var first = NodeReclaimPlanner.Plan(nodes, Leasing("lease", 4), LeaseClass.OnDemand, PoolQuotas.Default, ["r"])!;
        var node = nodes.Single(n => n.NodeId == first.NodeId);
        var marked = node.WithAllocations(node.Allocations.SetItems(first.Victims.Select(v =>
            KeyValuePair.Create(v, node.Allocations[v] with { Terms = node.Allocations[v].Terms! with { ReclaimedFor = "lease" } }))));
        nodes[nodes.IndexOf(node)] = marked;

        var second = NodeReclaimPlanner.Plan(nodes, Leasing("lease", 4), LeaseClass.OnDemand, PoolQuotas.Default, ["r"]);

        Assert.NotNull(second);
        Assert.Equal((first.Region, first.NodeId), (second.Region, second.NodeId));
        Assert.Equal(first.Victims, second.Victims);
    }

    [Fact]
    public void A_reclaim_only_ever_takes_borrowed_non_reserved_work_of_other_pools_and_then_the_request_fits()
    {
        var booking = Gen.Select(Gen.Int[1, 8], Gen.Enum<CapacityPool>(), Gen.Enum<LeaseClass>());
        Gen.Select(booking.Array[0, 12], Gen.Int[1, 8]).Sample((bookings, wanted) =>
        {
            var nodes = Region();
            for (var i = 0; i < bookings.Length; i++)
            {
                var (gpus, pool, leaseClass) = bookings[i];
                var at = nodes.FindIndex(n => n.FreeWholeGpus >= gpus);
                if (at >= 0)
                {
                    nodes[at] = Book(nodes[at], $"b{i}", gpus, pool.ToString().ToLowerInvariant(), leaseClass, i);
                }
            }

            var request = Leasing("want", wanted);
            var plan = NodeReclaimPlanner.Plan(nodes, request, LeaseClass.OnDemand, PoolQuotas.Default, ["r"]);
            if (plan is null)
            {
                return;
            }

            var pools = RegionPools.Of("r", nodes, PoolQuotas.Default);
            Assert.All(plan.Victims, v => Assert.True(ReclaimPlanner.IsReclaimable(pools.Work[v], CapacityPool.Leasing)));
            var node = nodes.Single(n => n.NodeId == plan.NodeId);
            Assert.True(plan.Victims.Aggregate(node, (n, v) => n.Release(v)).Fits(request.Resources));
        });
    }
}
