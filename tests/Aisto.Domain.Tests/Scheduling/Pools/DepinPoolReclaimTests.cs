using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;
using CsCheck;

namespace Aisto.Domain.Tests.Scheduling.Pools;

/// <summary>The DePIN pool takes its guarantee back from leases that borrowed it (<see cref="NodeReclaimPlanner.PlanForOwner"/>).</summary>
public sealed class DepinPoolReclaimTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    /// <summary>Two 8-GPU nodes of one model in one region: 16 GPUs, so leasing is owed 8, DePIN 7.2, incubation 0.8.</summary>
    private static List<NodeState> Region() =>
        [new NodeState("n1", "r", "A100", 8, 64_000, 512 * 1024), new NodeState("n2", "r", "A100", 8, 64_000, 512 * 1024)];

    private static NodeState Book(NodeState node, string id, int gpus, string pool, LeaseClass leaseClass, int minute) =>
        node.TryAllocate(id, ResourceRequest.For("A100", GpuDemand.Whole(gpus), 1, 1), pool,
            new BookingTerms(leaseClass, T0.AddMinutes(minute), T0.AddHours(1)))!.Value.Node;

    /// <summary>A queued DePIN task as the dispatcher asks for it (holder id <c>depin:&lt;task&gt;</c>, pool depin).</summary>
    private static PlacementRequest Task(string id, int gpus) => new("depin:" + id, ResourceRequest.For("A100", GpuDemand.Whole(gpus), 1, 1), "depin");

    private static NodeReclaim? Plan(List<NodeState> nodes, PlacementRequest request) =>
        NodeReclaimPlanner.PlanForOwner(nodes, request, PoolQuotas.Default, ["r"]);

    [Fact]
    public void A_queued_DePIN_task_takes_its_pools_quota_back_from_a_borrowing_spot_lease_before_an_on_demand_one()
    {
        // n1: leasing on-demand 8 GPUs (its whole guarantee, booked first); n2: a borrowing on-demand lease (4) and a
        // borrowing spot lease (4), the spot one booked earlier.
        var nodes = Region();
        nodes[0] = Book(nodes[0], "owned", 8, "leasing", LeaseClass.OnDemand, 0);
        nodes[1] = Book(nodes[1], "spot", 4, "leasing", LeaseClass.Spot, 1);
        nodes[1] = Book(nodes[1], "od", 4, "leasing", LeaseClass.OnDemand, 2);

        var plan = Plan(nodes, Task("t1", 4));

        Assert.NotNull(plan);
        Assert.Equal("n2", plan.NodeId);
        Assert.Equal(["spot"], plan.Victims);
    }

    [Fact]
    public void Within_a_class_the_newest_borrowed_lease_goes_first()
    {
        var nodes = Region();
        nodes[0] = Book(nodes[0], "owned", 8, "leasing", LeaseClass.OnDemand, 0);
        nodes[1] = Book(nodes[1], "older", 4, "leasing", LeaseClass.OnDemand, 1);
        nodes[1] = Book(nodes[1], "newer", 4, "incubation", LeaseClass.OnDemand, 2);

        Assert.Equal(["newer"], Plan(nodes, Task("t1", 3))!.Victims);
    }

    [Fact]
    public void Whatever_the_task_is_booked_as_the_DePIN_pool_reclaims_while_a_spot_lease_never_does()
    {
        var nodes = Region();
        nodes[0] = Book(nodes[0], "owned", 8, "leasing", LeaseClass.OnDemand, 0);
        nodes[1] = Book(nodes[1], "spot", 8, "leasing", LeaseClass.Spot, 1);

        Assert.NotNull(Plan(nodes, Task("t1", 2)));
        Assert.Null(NodeReclaimPlanner.Plan(nodes, Task("t1", 2), LeaseClass.Spot, PoolQuotas.Default, ["r"]));
    }

    [Fact]
    public void Leases_within_their_guarantee_reserved_leases_and_the_pools_own_tasks_are_never_taken()
    {
        // DePIN holds 4 of its 7.2 GPUs, so a 3-GPU task is owed; but n1 is leasing's own guarantee, and n2 holds a
        // DePIN task and a reserved incubation lease beyond incubation's guarantee: nothing there may be taken.
        var nodes = Region();
        nodes[0] = Book(nodes[0], "within", 8, "leasing", LeaseClass.OnDemand, 0);
        nodes[1] = Book(nodes[1], "depin:a", 4, "depin", LeaseClass.Spot, 1);
        nodes[1] = Book(nodes[1], "reserved", 4, "incubation", LeaseClass.Reserved, 2);

        Assert.True(RegionPools.Of("r", nodes, PoolQuotas.Default).IsOwed(CapacityPool.Depin, 3000));
        Assert.Null(Plan(nodes, Task("t1", 3)));
    }

    [Fact]
    public void A_DePIN_pool_at_its_guarantee_is_not_owed_and_reclaims_nothing()
    {
        // DePIN holds 7 of its 7.2 GPUs; a 1-GPU task would take it to 8: beyond the guarantee, so it must wait.
        var nodes = Region();
        nodes[0] = Book(nodes[0], "depin:a", 7, "depin", LeaseClass.Spot, 0);
        nodes[0] = Book(nodes[0], "spot", 1, "leasing", LeaseClass.Spot, 1);
        nodes[1] = Book(nodes[1], "spot-2", 8, "leasing", LeaseClass.Spot, 2);

        Assert.Null(Plan(nodes, Task("t1", 1)));
    }

    [Fact]
    public void A_reclaim_by_the_DePIN_pool_takes_only_borrowed_non_reserved_leases_only_when_owed_and_never_more_than_the_task_needs()
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
                    var id = pool == CapacityPool.Depin ? $"depin:b{i}" : $"b{i}";
                    nodes[at] = Book(nodes[at], id, gpus, pool.ToString().ToLowerInvariant(), leaseClass, i);
                }
            }

            var request = Task("want", wanted);
            var plan = Plan(nodes, request);
            if (plan is null)
            {
                return;
            }

            var pools = RegionPools.Of("r", nodes, PoolQuotas.Default);
            Assert.True(pools.IsOwed(CapacityPool.Depin, wanted * 1000L));
            Assert.NotEmpty(plan.Victims);
            Assert.All(plan.Victims, v =>
            {
                var work = pools.Work[v];
                Assert.NotEqual(CapacityPool.Depin, work.Pool);
                Assert.NotEqual(LeaseClass.Reserved, work.Class);
                Assert.True(work.Borrowed);
            });

            // The task fits once the victims leave, and would not if any one of them stayed.
            var node = nodes.Single(n => n.NodeId == plan.NodeId);
            Assert.False(node.Fits(request.Resources));
            Assert.True(plan.Victims.Aggregate(node, (n, v) => n.Release(v)).Fits(request.Resources));
            Assert.All(plan.Victims, spared =>
                Assert.False(plan.Victims.Where(v => v != spared).Aggregate(node, (n, v) => n.Release(v)).Fits(request.Resources)));
        });
    }
}
