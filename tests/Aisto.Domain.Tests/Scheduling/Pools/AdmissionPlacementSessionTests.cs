using Aisto.Domain.Leases;
using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;
using CsCheck;

namespace Aisto.Domain.Tests.Scheduling.Pools;

/// <summary>
/// The admission walk places through a session that keeps each region's packing view and follows the walk's
/// bookings, instead of building the view again for every lease. It must decide as placing every lease against the
/// walk's current nodes from scratch does.
/// </summary>
public sealed class AdmissionPlacementSessionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Models = ["H100", "A100"];

    [Theory]
    [InlineData("aisto")]
    [InlineData("best-fit")]
    public void A_walk_with_a_kept_view_admits_reserves_and_orders_as_placing_from_scratch(string policy) =>
        Gen.Select(GenFleet, GenLease.Array[1, 40], Gen.Int).Sample((fleet, queue, seed) =>
        {
            var leases = queue.DistinctBy(q => q.Id).ToList();
            var one = leases[Math.Abs(seed % leases.Count)];
            var kept = new FragmentationAwarePlacement(policy: policy);
            var fromScratch = new FromScratch(kept);

            var withSession = Walk(fleet, leases, kept);
            var placedEach = Walk(fleet, leases, fromScratch);
            var decided = Walk(fleet, leases, kept, decide: one.Id);

            Assert.Equal(placedEach.Order, withSession.Order);
            Assert.Equal(placedEach.Admitted, withSession.Admitted);
            Assert.Equal(placedEach.Reservations, withSession.Reservations);
            Assert.Equal(placedEach.AdmissionOf(one.Id), decided.AdmissionOf(one.Id));
        }, iter: 300);

    [Fact]
    public void Each_lease_the_walk_admits_is_seen_by_the_placements_after_it()
    {
        var fleet = new[] { Region("r1", Node("r1", "a", "A100", 4), Node("r1", "b", "A100", 4), Node("r1", "c", "A100", 4)) };
        var queue = Enumerable.Range(0, 3).Select(i => new QueuedLeaseRequest(
            $"q{i}", "t", LeaseOf("A100", GpuDemand.Whole(4)), Now.AddMinutes(i - 10))).ToList();

        var result = Walk(fleet, queue, new FragmentationAwarePlacement(policy: "best-fit"));

        Assert.Equal(["a", "b", "c"], result.Admitted.Select(a => a.Decision.NodeId).Order());
    }

    [Fact]
    public void A_hidden_node_is_left_out_for_one_placement_only()
    {
        var fleet = new[] { Region("r1", Node("r1", "a", "A100", 0), Node("r1", "b", "A100", 4)) };
        var session = new FragmentationAwarePlacement(policy: "best-fit").StartSession(fleet);
        var request = Request("x", "A100", GpuDemand.Whole(4));

        var hidden = session.Place(request, [new NodeKey("r1", "b")]);
        var visible = session.Place(request, []);

        Assert.Equal("a", hidden?.NodeId);
        Assert.Equal("b", visible?.NodeId);
    }

    [Fact]
    public void A_booking_the_walk_reports_is_seen_by_the_next_placement()
    {
        var node = Node("r1", "a", "A100", 4);
        var session = new FragmentationAwarePlacement().StartSession([Region("r1", node)]);
        var request = Request("x", "A100", GpuDemand.Whole(4));
        Assert.Equal("a", session.Place(request, [])?.NodeId);

        session.Update("r1", 0, node.TryAllocate("x", request.Resources, "leasing", null)!.Value.Node);

        Assert.Null(session.Place(Request("y", "A100", GpuDemand.Whole(1)), []));
    }

    private static QueueAdmissionResult Walk(RegionSnapshot[] fleet, List<QueuedLeaseRequest> queue, IPlacementPolicy placement, string? decide = null) =>
        QueueAdmission.Run(fleet, queue, new Dictionary<string, long>(), placement, PoolQuotas.Default, Now, decide: decide);

    /// <summary>The same policy without a session of its own: every placement builds the views from the nodes.</summary>
    private sealed class FromScratch(IPlacementPolicy inner) : IPlacementPolicy
    {
        public PlacementDecision? Place(IReadOnlyList<RegionSnapshot> regions, PlacementRequest request) => inner.Place(regions, request);
    }

    private static readonly Gen<GpuDemand> GenDemand = Gen.OneOf(
        Gen.Int[1, 8].Select(GpuDemand.Whole),
        Gen.Int[1, 3].Select(q => GpuDemand.Fraction(q * 250)));

    private static readonly Gen<QueuedLeaseRequest> GenLease =
        Gen.Select(Gen.Int[0, 999], Gen.Int[0, 3], GenDemand, Gen.Int[0, 1], Gen.Enum<LeaseClass>(), Gen.Int[0, 40], Gen.Int[1, 12], Gen.Int[0, 2])
            .Select((id, tenant, gpu, model, leaseClass, waited, halfHours, region) => new QueuedLeaseRequest(
                $"q{id}", $"t{tenant}",
                new LeaseRequest(
                    Models[model], gpu, 4, 32, halfHours / 2m, leaseClass, LeasePool.Leasing, LeasePurpose.Training,
                    region == 0 ? null : $"r{region}", null, null, PreemptionAction.End, null),
                Now.AddMinutes(-waited)));

    /// <summary>Two regions of four nodes of two models, each node holding up to two bookings that end at various times.</summary>
    private static readonly Gen<RegionSnapshot[]> GenFleet =
        Gen.Select(Gen.Int[0, 8].Array[8], Gen.Int[0, 3].Array[8], Gen.Int[1, 300].Array[8]).Select((whole, shares, minutes) =>
        {
            RegionSnapshot Build(string region, int offset) => Region(region, [.. Enumerable.Range(offset, 4).Select(i =>
            {
                var node = Node(region, $"{region}-n{i}", Models[i % 2], whole[i], minutes[i]);
                return shares[i] == 0 || node.FreeGpuMilli < 1000
                    ? node
                    : node.TryAllocate($"s{i}", ResourceRequest.For(node.Model, GpuDemand.Fraction(shares[i] * 250), 1, 1), "depin",
                        new BookingTerms(LeaseClass.Spot, Now.AddHours(-1), Now.AddMinutes(minutes[i] / 2 + 1)))?.Node ?? node;
            })]);
            return new[] { Build("r1", 0), Build("r2", 4) };
        });

    private static RegionSnapshot Region(string id, params NodeState[] nodes) =>
        new(new RegionInfo(id, id, new GeoPoint(id == "r1" ? 1 : 3, 100)), [.. nodes]);

    private static NodeState Node(string region, string id, string model, int heldGpus, int endsInMinutes = 60)
    {
        var node = new NodeState(id, region, model, 8, 64_000, 512 * 1024);
        return heldGpus == 0
            ? node
            : node.TryAllocate($"h-{id}", ResourceRequest.For(model, GpuDemand.Whole(heldGpus), 1, 1), "depin",
                new BookingTerms(LeaseClass.OnDemand, Now.AddHours(-1), Now.AddMinutes(endsInMinutes)))!.Value.Node;
    }

    private static PlacementRequest Request(string id, string model, GpuDemand gpu) => LeaseOf(model, gpu).ToPlacement(id);

    private static LeaseRequest LeaseOf(string model, GpuDemand gpu) =>
        new(model, gpu, 4, 32, 1m, LeaseClass.OnDemand, LeasePool.Leasing, LeasePurpose.Training, null, null, null, PreemptionAction.End, null);
}
