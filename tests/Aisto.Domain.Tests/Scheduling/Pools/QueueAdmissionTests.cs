using Aisto.Domain.Leases;
using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;
using CsCheck;

namespace Aisto.Domain.Tests.Scheduling.Pools;

/// <summary>The runtime's queue discipline: one admission walk over the queued leases on the nodes of every region.</summary>
public sealed class QueueAdmissionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPlacementPolicy Placement = new FragmentationAwarePlacement(policy: "best-fit");

    [Fact]
    public void A_higher_class_goes_first_even_when_it_asked_later()
    {
        var region = new AdmissionRegion().Node("n1", held: ("x", 8, "depin", 60)).Node("n2");
        var queue = new[] { Lease("od", "a", 8, waited: 10), Lease("res", "b", 8, waited: 1, LeaseClass.Reserved) };

        var result = region.Admit(queue);

        Assert.Equal(["res"], result.Admitted.Select(a => a.Id));
        Assert.Equal(["res", "od"], result.Order);
    }

    [Fact]
    public void Within_a_class_the_tenant_holding_fewer_GPUs_goes_first()
    {
        var region = new AdmissionRegion().Node("n1", held: ("a-running", 4, "leasing", 60)).Node("n2");
        var queue = new[] { Lease("a1", "a", 8, waited: 10), Lease("b1", "b", 8, waited: 1) };

        var result = region.Admit(queue, tenantHeld: new() { ["a"] = 4000 });

        Assert.Equal(["b1"], result.Admitted.Select(a => a.Id));
        Assert.Equal(2, result.PositionOf("a1"));
    }

    [Fact]
    public void A_lease_waiting_past_the_age_boost_goes_ahead_of_fair_share()
    {
        var region = new AdmissionRegion().Node("n1", held: ("a-running", 4, "leasing", 60)).Node("n2");
        var queue = new[] { Lease("a1", "a", 8, waited: 20), Lease("b1", "b", 8, waited: 1) };

        var result = region.Admit(queue, tenantHeld: new() { ["a"] = 4000 });

        Assert.Equal(["a1"], result.Admitted.Select(a => a.Id));
    }

    [Fact]
    public void A_blocked_large_lease_holds_back_the_node_that_frees_first_and_only_short_work_backfills_it()
    {
        // n1 frees its last 4 GPUs in an hour, n2 in two: the 8-GPU lease is reserved n1 from +1 h.
        var region = new AdmissionRegion().Node("n1", held: ("x", 4, "depin", 60)).Node("n2", held: ("y", 8, "depin", 120));
        var queue = new[]
        {
            Lease("big", "a", 8, waited: 10, hours: 2),
            Lease("short", "b", 2, waited: 5, hours: 0.5m),
            Lease("long", "c", 2, waited: 4, hours: 3),
        };

        var result = region.Admit(queue);

        Assert.Equal(["short"], result.Admitted.Select(a => a.Id));
        Assert.Equal(new NodeReservation("big", "r", "n1", Now.AddHours(1), AdmittedBefore: 0), Assert.Single(result.Reservations));
        Assert.Equal(["short", "big", "long"], result.Order);
    }

    [Fact]
    public void Work_that_would_outlast_a_reservation_is_placed_on_another_node_when_one_has_room()
    {
        var region = new AdmissionRegion()
            .Node("n1", held: ("x", 4, "depin", 60))
            .Node("n2", held: ("y", 8, "depin", 120))
            .Node("n3", held: ("z", 6, "depin", 300));
        var queue = new[] { Lease("big", "a", 8, waited: 10), Lease("long", "c", 2, waited: 4, hours: 3) };

        var result = region.Admit(queue);

        var admitted = Assert.Single(result.Admitted);
        Assert.Equal(("long", "n3"), (admitted.Id, admitted.Decision.NodeId));
    }

    [Fact]
    public void Leases_their_pool_owes_go_before_leases_that_would_borrow()
    {
        // 16 GPUs: incubation is guaranteed 0.8 of a GPU, so an 8-GPU incubation lease would borrow; leasing is owed 8.
        var region = new AdmissionRegion().Node("n1", held: ("d", 8, "depin", 60)).Node("n2");
        var queue = new[] { Lease("inc", "a", 8, waited: 10, pool: LeasePool.Incubation), Lease("lease", "b", 8, waited: 1) };

        var result = region.Admit(queue);

        var admitted = Assert.Single(result.Admitted);
        Assert.Equal(("lease", false), (admitted.Id, admitted.Borrowed));
        Assert.Equal(["lease", "inc"], result.Order);
    }

    [Fact]
    public void Reserved_leases_never_borrow()
    {
        var region = new AdmissionRegion().Node("n1").Node("n2");
        var queue = new[] { Lease("res", "a", 2, waited: 1, LeaseClass.Reserved, pool: LeasePool.Incubation) };

        var result = region.Admit(queue);

        Assert.Empty(result.Admitted);
        Assert.Equal(1, result.PositionOf("res"));
    }

    [Fact]
    public void Leases_in_a_region_that_is_down_are_not_admitted_there()
    {
        var region = new AdmissionRegion(isUp: false).Node("n1");

        var result = region.Admit([Lease("l", "a", 1, waited: 1)]);

        Assert.Empty(result.Admitted);
    }

    private static readonly Gen<QueuedLeaseRequest> GenLease =
        Gen.Select(Gen.Int[0, 999], Gen.Int[0, 3], Gen.Int[1, 8], Gen.Enum<LeaseClass>(), Gen.Bool, Gen.Int[0, 40], Gen.Int[1, 12],
            (id, tenant, gpus, leaseClass, incubation, waited, halfHours) => Lease(
                $"q{id}", $"t{tenant}", gpus, waited, leaseClass, halfHours / 2m, incubation ? LeasePool.Incubation : LeasePool.Leasing));

    private static readonly Gen<AdmissionRegion> GenRegion =
        Gen.Select(Gen.Int[0, 8], Gen.Int[0, 8], Gen.Int[0, 8], Gen.Int[1, 300], (a, b, c, minutes) => new AdmissionRegion()
            .Node("n1", held: ("h1", a, "depin", minutes))
            .Node("n2", held: ("h2", b, "leasing", minutes * 2))
            .Node("n3", held: ("h3", c, "incubation", minutes / 2 + 1)));

    [Fact]
    public void Everything_one_walk_admits_fits_together_on_the_nodes_it_was_placed_on() =>
        Gen.Select(GenRegion, GenLease.Array[0, 30]).Sample((region, queue) =>
        {
            var leases = queue.DistinctBy(q => q.Id).ToList();

            var result = region.Admit(leases);

            var nodes = region.Nodes.ToDictionary(n => n.NodeId);
            foreach (var admitted in result.Admitted)
            {
                var lease = leases.Single(l => l.Id == admitted.Id);
                var booked = nodes[admitted.Decision.NodeId].TryAllocate(lease.Id, lease.Request.Resources, "leasing");
                Assert.NotNull(booked);
                nodes[admitted.Decision.NodeId] = booked.Value.Node;
            }

            Assert.Equal(leases.Select(l => l.Id).Order(), result.Order.Order());
        }, iter: 200);

    [Fact]
    public void The_order_the_queue_is_read_in_changes_nothing_and_deciding_one_lease_agrees_with_the_full_walk() =>
        Gen.Select(GenRegion, GenLease.Array[1, 30], Gen.Int).Sample((region, queue, seed) =>
        {
            var leases = queue.DistinctBy(q => q.Id).ToList();
            var shuffled = leases.OrderBy(_ => new Random(seed).Next()).ToList();
            var one = leases[Math.Abs(seed % leases.Count)];

            var full = region.Admit(leases);
            var reread = region.Admit(shuffled);
            var decided = region.Admit(shuffled, decide: one.Id);

            Assert.Equal(full.Order, reread.Order);
            Assert.Equal(full.AdmissionOf(one.Id), decided.AdmissionOf(one.Id));
        }, iter: 200);

    [Fact]
    public void Remembering_which_shapes_found_no_room_changes_no_decision() =>
        Gen.Select(GenRegion, GenShapedLease.Array[1, 40], Gen.Int).Sample((region, queue, seed) =>
        {
            var leases = queue.DistinctBy(q => q.Id).ToList();
            var one = leases[Math.Abs(seed % leases.Count)];
            var placeEveryLease = AdmissionOptions.Default with { ReuseFailedPlacements = false };

            var remembered = region.Admit(leases);
            var placedEach = region.Admit(leases, options: placeEveryLease);
            var decided = region.Admit(leases, decide: one.Id);

            Assert.Equal(placedEach.Order, remembered.Order);
            Assert.Equal(placedEach.Admitted, remembered.Admitted);
            Assert.Equal(placedEach.Reservations, remembered.Reservations);
            Assert.Equal(placedEach.AdmissionOf(one.Id), decided.AdmissionOf(one.Id));
        }, iter: 300);

    /// <summary>Few shapes, many leases: the queue a full fleet builds up (the shapes repeat, so the memory is used).</summary>
    private static readonly Gen<QueuedLeaseRequest> GenShapedLease =
        Gen.Select(Gen.Int[0, 999], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Enum<LeaseClass>(), Gen.Int[0, 40], Gen.Int[0, 2],
            (id, tenant, size, leaseClass, waited, length) => Lease(
                $"q{id}", $"t{tenant}", size switch { 0 => 1, 1 => 4, _ => 8 }, waited, leaseClass, length switch { 0 => 0.5m, 1 => 1, _ => 4 }));

    [Fact]
    public void Nothing_admitted_onto_a_reserved_node_outlasts_the_reservation() =>
        Gen.Select(GenRegion, GenLease.Array[0, 30]).Sample((region, queue) =>
        {
            var leases = queue.DistinctBy(q => q.Id).ToDictionary(q => q.Id);

            var result = region.Admit([.. leases.Values]);

            foreach (var reservation in result.Reservations)
            {
                var admittedBehind = result.Admitted.Skip(reservation.AdmittedBefore).Where(a => a.Decision.NodeId == reservation.NodeId);
                Assert.All(admittedBehind, a => Assert.True(Now + leases[a.Id].Request.Duration <= reservation.Start, $"{a.Id} outlasts {reservation}"));
            }
        }, iter: 200);

    private static QueuedLeaseRequest Lease(
        string id, string tenant, int gpus, int waited, LeaseClass leaseClass = LeaseClass.OnDemand, decimal hours = 1,
        LeasePool pool = LeasePool.Leasing) =>
        new(id, tenant, new LeaseRequest(
            "A100", GpuDemand.Whole(gpus), 4 * gpus, 32 * gpus, hours, leaseClass, pool, LeasePurpose.Training, null, null, null,
            PreemptionAction.End, null), Now.AddMinutes(-waited));

    /// <summary>One region "r" of 8-GPU A100 nodes, each optionally holding one booking that ends some minutes from now.</summary>
    private sealed class AdmissionRegion(bool isUp = true)
    {
        private readonly List<NodeState> _nodes = [];

        public IReadOnlyList<NodeState> Nodes => _nodes;

        public AdmissionRegion Node(string id, (string Holder, int Gpus, string Pool, int EndsInMinutes)? held = null)
        {
            var node = new NodeState(id, "r", "A100", 8, 64_000, 512 * 1024);
            if (held is { Gpus: > 0 } h)
            {
                node = node.TryAllocate(h.Holder, ResourceRequest.For("A100", GpuDemand.Whole(h.Gpus), 1, 1), h.Pool,
                    new BookingTerms(LeaseClass.OnDemand, Now.AddHours(-1), Now.AddMinutes(h.EndsInMinutes)))!.Value.Node;
            }

            _nodes.Add(node);
            return this;
        }

        public QueueAdmissionResult Admit(
            IReadOnlyList<QueuedLeaseRequest> queue, Dictionary<string, long>? tenantHeld = null, string? decide = null,
            AdmissionOptions? options = null) =>
            QueueAdmission.Run(
                [new RegionSnapshot(new RegionInfo("r", "r", new GeoPoint(0, 0)), [.. _nodes], isUp)],
                queue, tenantHeld ?? [], Placement, PoolQuotas.Default, Now, options, decide: decide);

        public override string ToString() => string.Join(", ", _nodes.Select(n => $"{n.NodeId}:{n.FreeGpuMilli}"));
    }
}
