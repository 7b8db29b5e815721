using System.Collections.Immutable;
using Aisto.Domain.Scaling;
using Aisto.Domain.Scheduling;
using CsCheck;

namespace Aisto.Domain.Tests.Scaling;

public sealed class DemandMeterTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 4, 12, 0, 0, TimeSpan.Zero);

    private static NodeState Node(string id, string region = "singapore", string model = "H100", int gpus = 8) =>
        new(id, region, model, gpus, 96_000, 1024 * 1024);

    private static NodeState Booked(NodeState node, string holder, int gpus, string pool = "leasing") =>
        node.TryAllocate(holder, ResourceRequest.For(node.Model, GpuDemand.Whole(gpus), 1, 1), pool)!.Value.Node;

    private static QueuedDemand Queued(double gpus, TimeSpan waited, string pool = "leasing", string region = "singapore", string model = "H100") =>
        new(region, pool, model,
            ResourceRequest.For(model, gpus < 1 ? GpuDemand.Fraction((int)(gpus * 1000)) : GpuDemand.Whole((int)gpus), 1, 1),
            At - waited);

    private static DemandSample Series(IReadOnlyList<DemandSample> samples, string pool, string model = "H100", string region = "singapore") =>
        samples.Single(s => s.Region == region && s.GpuModel == model && s.Pool == pool);

    [Fact]
    public void Requested_is_booked_plus_queued_per_capacity_pool_and_for_the_whole_node_pool()
    {
        var nodes = new[] { Booked(Booked(Node("n1"), "l1", 4), "d1", 2, "depin"), Node("n2") };
        var queued = new[] { Queued(8, TimeSpan.FromMinutes(3)), Queued(0.5, TimeSpan.FromMinutes(1), "incubation") };

        var samples = DemandMeter.Measure(At, nodes, queued);

        var leasing = Series(samples, "leasing");
        Assert.Equal((12.0, 4.0, 1), (leasing.RequestedGpus, leasing.AllocatedGpus, leasing.QueueLength));
        Assert.Equal(2.0, Series(samples, "depin").RequestedGpus);
        Assert.Equal(0.5, Series(samples, "incubation").RequestedGpus);
        var all = Series(samples, DemandMeter.AllPools);
        Assert.Equal((14.5, 6.0, 16.0, 2), (all.RequestedGpus, all.AllocatedGpus, all.CapacityGpus, all.QueueLength));
    }

    [Fact]
    public void A_capacity_pool_is_given_its_guaranteed_share_of_the_models_gpus()
    {
        var samples = DemandMeter.Measure(At, [Node("n1"), Node("n2")], []);

        Assert.Equal(8.0, Series(samples, "leasing").CapacityGpus);
        Assert.Equal(7.2, Series(samples, "depin").CapacityGpus, 6);
        Assert.Equal(0.8, Series(samples, "incubation").CapacityGpus, 6);
    }

    [Fact]
    public void Every_model_a_region_has_gets_rows_even_when_idle_and_queued_demand_for_a_missing_model_too()
    {
        var samples = DemandMeter.Measure(At, [Node("n1"), Node("a1", model: "A100")], [Queued(2, TimeSpan.Zero, model: "L40S")]);

        Assert.Equal(3 * 4, samples.Count);
        Assert.Equal(0.0, Series(samples, DemandMeter.AllPools, "A100").RequestedGpus);
        var l40s = Series(samples, DemandMeter.AllPools, "L40S");
        Assert.Equal((2.0, 0.0), (l40s.RequestedGpus, l40s.CapacityGpus));
    }

    [Fact]
    public void P95_wait_is_over_the_requests_waiting_now_and_zero_when_none_wait()
    {
        var queued = Enumerable.Range(1, 20).Select(i => Queued(1, TimeSpan.FromSeconds(i * 10))).ToList();

        var samples = DemandMeter.Measure(At, [Node("n1")], queued);

        Assert.Equal(190.0, Series(samples, DemandMeter.AllPools).P95WaitSeconds);
        Assert.Equal(0.0, Series(DemandMeter.Measure(At, [Node("n1")], []), DemandMeter.AllPools).P95WaitSeconds);
    }

    [Fact]
    public void Queued_work_that_fits_on_no_node_is_unplaceable_however_many_gpus_are_free_in_total()
    {
        // 4 + 4 GPUs free, but on two nodes: an 8-GPU request fits on neither; a 4-GPU one does.
        var nodes = new[] { Booked(Node("n1"), "a", 4), Booked(Node("n2"), "b", 4) };

        var unplaceable = DemandMeter.UnplaceableGpus(nodes, [Queued(8, TimeSpan.Zero), Queued(4, TimeSpan.Zero)]);

        Assert.Equal(8.0, unplaceable);
    }

    [Fact]
    public void The_whole_pool_series_sums_its_capacity_pools()
    {
        var gen =
            from booked in Gen.Int[0, 8].Array[1, 6]
            from pools in Gen.OneOf(Gen.Const("leasing"), Gen.Const("depin"), Gen.Const("incubation")).Array[6]
            from queued in Gen.Int[1, 8].Array[0, 10]
            select (booked, pools, queued);

        gen.Sample(c =>
        {
            var nodes = c.booked.Select((b, i) => b == 0 ? Node($"n{i}") : Booked(Node($"n{i}"), $"h{i}", b, c.pools[i])).ToImmutableArray();
            var queue = c.queued.Select((g, i) => Queued(g, TimeSpan.FromSeconds(i), c.pools[i % c.pools.Length] == "depin" ? "leasing" : c.pools[i % c.pools.Length])).ToList();

            var samples = DemandMeter.Measure(At, nodes, queue);

            var all = Series(samples, DemandMeter.AllPools);
            var parts = samples.Where(s => s.Pool != DemandMeter.AllPools).ToList();
            return Math.Abs(all.RequestedGpus - parts.Sum(s => s.RequestedGpus)) < 1e-9
                && Math.Abs(all.CapacityGpus - parts.Sum(s => s.CapacityGpus)) < 1e-9
                && all.QueueLength == parts.Sum(s => s.QueueLength)
                && all.AllocatedGpus <= all.CapacityGpus;
        });
    }
}
