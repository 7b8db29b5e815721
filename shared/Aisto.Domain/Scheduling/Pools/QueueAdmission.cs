using System.Collections.Immutable;
using Aisto.Domain.Leases;
using Aisto.Domain.Regions;

namespace Aisto.Domain.Scheduling.Pools;

/// <summary>A lease in the runtime's queue, as the admission walk sees it.</summary>
/// <param name="EnqueuedAt">When it was requested (a re-queued lease keeps its first request time).</param>
public sealed record QueuedLeaseRequest(string Id, string Tenant, LeaseRequest Request, DateTimeOffset EnqueuedAt);

/// <summary>A queued lease the walk admits now, and where.</summary>
/// <param name="Borrowed">It runs beyond its pool's guarantee in that region, on another pool's idle quota.</param>
public sealed record AdmittedLease(string Id, PlacementDecision Decision, bool Borrowed);

/// <summary>The node a blocked lease holds back, and when it is expected to start there (EASY backfill).</summary>
/// <param name="AdmittedBefore">How many leases the walk had admitted when it made the reservation: only those after
/// them are held to it.</param>
public sealed record NodeReservation(string LeaseId, string Region, string NodeId, DateTimeOffset Start, int AdmittedBefore);

/// <summary>What one admission walk over the queue decided.</summary>
/// <param name="Admitted">The leases that may take capacity now, in admission order.</param>
/// <param name="Order">Every queued lease in admission order: the admitted first, then the waiting.</param>
/// <param name="Reservations">Nodes held back for blocked leases (at most one per GPU model).</param>
public sealed record QueueAdmissionResult(
    IReadOnlyList<AdmittedLease> Admitted,
    IReadOnlyList<string> Order,
    IReadOnlyList<NodeReservation> Reservations)
{
    /// <summary>Where <paramref name="leaseId"/> is admitted, or null when it must wait.</summary>
    public AdmittedLease? AdmissionOf(string leaseId) => Admitted.FirstOrDefault(a => a.Id == leaseId);

    /// <summary>1-based position of a queued lease in admission order; null when it is not in the queue.</summary>
    public int? PositionOf(string leaseId)
    {
        for (var i = 0; i < Order.Count; i++)
        {
            if (Order[i] == leaseId)
            {
                return i + 1;
            }
        }

        return null;
    }
}

/// <summary>
/// The runtime's queue discipline: one Kueue-like admission walk over the queued leases on a snapshot of every
/// region's nodes, using the runtime's own placement policy. The walk takes leases in <see cref="AdmissionCycle"/>'s
/// order — class (reserved, on-demand, spot), then leases waiting past <see cref="AdmissionOptions.AgeBoostAfter"/>,
/// then the tenant holding the fewest GPUs (fair share, updated as the walk admits), then age — in two passes:
/// first every lease its pool owes (within the pool's guarantee in the region placement picks), then leases that
/// would borrow other pools' idle quota (reserved leases never borrow). Each admitted lease is booked in the walk's
/// working copy, so later leases see what it took.
/// The first blocked lease of each GPU model holds back the node where running work frees room for it soonest
/// (its reservation, at the expected end of that work); a later lease may use that node only if it ends by then,
/// and otherwise is placed as if the node were not there (node-level EASY backfill). This bounds how long small
/// requests can keep a large one waiting. Pure and deterministic: same snapshot and queue, same answer.
/// </summary>
public static class QueueAdmission
{
    /// <summary>Runs the walk; with <paramref name="decide"/>, stops as soon as that lease is admitted or blocked.</summary>
    /// <param name="tenantHeld">GPU thousandths each tenant holds now (fair share).</param>
    public static QueueAdmissionResult Run(
        IReadOnlyList<RegionSnapshot> regions,
        IReadOnlyList<QueuedLeaseRequest> queue,
        IReadOnlyDictionary<string, long> tenantHeld,
        IPlacementPolicy placement,
        PoolQuotas quotas,
        DateTimeOffset asOf,
        AdmissionOptions? options = null,
        string? decide = null)
    {
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(tenantHeld);
        ArgumentNullException.ThrowIfNull(placement);
        ArgumentNullException.ThrowIfNull(quotas);
        var walk = new Walk(regions, tenantHeld, placement, quotas, asOf, options ?? AdmissionOptions.Default);

        // Pass 1: what the pools owe. Pass 2: what would borrow, in the same order.
        var deferred = walk.Pass(queue, borrowing: false, decide);
        if (!walk.Decided)
        {
            walk.Pass(deferred, borrowing: true, decide);
        }

        return walk.Result();
    }

    private sealed class Walk(
        IReadOnlyList<RegionSnapshot> regions,
        IReadOnlyDictionary<string, long> tenantHeld,
        IPlacementPolicy placement,
        PoolQuotas quotas,
        DateTimeOffset asOf,
        AdmissionOptions options)
    {
        private readonly List<RegionSnapshot> _working = [.. regions];
        private readonly IPlacementSession _placement = placement.StartSession(regions);
        private readonly Dictionary<string, long> _tenantUse = new(tenantHeld, StringComparer.Ordinal);
        private readonly Dictionary<string, (ImmutableDictionary<CapacityPool, long> Guaranteed, Dictionary<CapacityPool, long> Held)> _pools =
            new(StringComparer.OrdinalIgnoreCase);

        private readonly List<AdmittedLease> _admitted = [];
        private readonly List<string> _waiting = [];
        private readonly List<NodeReservation> _reservations = [];
        private readonly HashSet<string> _reservedModels = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<UnplaceableShape> _unplaceable = [];

        public bool Decided { get; private set; }

        public QueueAdmissionResult Result() =>
            new(_admitted, [.. _admitted.Select(a => a.Id), .. _waiting], _reservations);

        /// <summary>Takes the leases in admission order; returns those deferred to the borrowing pass.</summary>
        public List<QueuedLeaseRequest> Pass(IReadOnlyList<QueuedLeaseRequest> leases, bool borrowing, string? decide)
        {
            var deferred = new List<QueuedLeaseRequest>();
            var byTenant = leases
                .GroupBy(q => q.Tenant, StringComparer.Ordinal)
                .Select(g => new Queue<QueuedLeaseRequest>(g
                    .OrderBy(q => AdmissionOrder.ClassRank(q.Request.Class))
                    .ThenBy(q => q.EnqueuedAt)
                    .ThenBy(q => q.Id, StringComparer.Ordinal)))
                .ToList();
            while (Next(byTenant) is { } lease)
            {
                var outcome = Consider(lease, borrowing);
                if (outcome == Outcome.Defer)
                {
                    deferred.Add(lease);
                    continue;
                }

                if (lease.Id == decide)
                {
                    Decided = true;
                    return [];
                }
            }

            return deferred;
        }

        private enum Outcome
        {
            Admitted,
            Waiting,
            Defer,
        }

        private Outcome Consider(QueuedLeaseRequest lease, bool borrowing)
        {
            var request = lease.Request.ToPlacement(lease.Id);
            var pool = RegionPools.PoolOf(request.Pool);
            var demand = request.Resources.Gpu.TotalMilli;
            var end = asOf + lease.Request.Duration;

            // Place it: on every node if it ends before every reservation starts, else without the reserved nodes.
            // A shape that found no room finds none later in this walk (admitting only fills nodes; the hidden
            // reserved nodes are part of the shape): a long queue of like requests on a full fleet costs one
            // placement per shape, not one per lease.
            var blocking = BlockingMask(end);
            var shape = new UnplaceableShape(request, blocking);
            var decision = options.ReuseFailedPlacements && _unplaceable.Contains(shape) ? null : _placement.Place(request, Hidden(blocking));
            if (decision is null)
            {
                _unplaceable.Add(shape);
                Reserve(lease, request);
                _waiting.Add(lease.Id);
                return Outcome.Waiting;
            }

            var (guaranteed, held) = PoolsOf(decision.Region);
            var owed = held[pool] + demand <= guaranteed[pool];
            if (!owed && !borrowing)
            {
                return lease.Request.Class == LeaseClass.Reserved ? Wait(lease) : Outcome.Defer;
            }

            if (!owed && lease.Request.Class == LeaseClass.Reserved)
            {
                return Wait(lease);
            }

            // Admit: book it in the working copy.
            var index = _working.FindIndex(r => r.Region.Id == decision.Region);
            var region = _working[index];
            var nodeIndex = region.Nodes.IndexOf(region.Nodes.First(n => n.NodeId == decision.NodeId));
            var booked = region.Nodes[nodeIndex].TryAllocate(
                lease.Id, request.Resources, request.Pool, new BookingTerms(lease.Request.Class, asOf, end, TenantId: lease.Tenant.Length > 0 ? lease.Tenant : null));
            if (booked is null)
            {
                return Wait(lease); // The policy chose a node that does not fit: never admit on it.
            }

            _working[index] = region with { Nodes = region.Nodes.SetItem(nodeIndex, booked.Value.Node) };
            _placement.Update(region.Region.Id, nodeIndex, booked.Value.Node);
            held[pool] += demand;
            _tenantUse[lease.Tenant] = _tenantUse.GetValueOrDefault(lease.Tenant) + demand;
            _admitted.Add(new AdmittedLease(lease.Id, decision, !owed));
            return Outcome.Admitted;
        }

        private Outcome Wait(QueuedLeaseRequest lease)
        {
            _waiting.Add(lease.Id);
            return Outcome.Waiting;
        }

        /// <summary>Which reservations (bit i = reservation i; at most one per GPU model) start before <paramref name="end"/>.</summary>
        private ulong BlockingMask(DateTimeOffset end)
        {
            var mask = 0UL;
            for (var i = 0; i < _reservations.Count && i < 64; i++)
            {
                mask |= _reservations[i].Start < end ? 1UL << i : 0;
            }

            return mask;
        }

        /// <summary>The reserved nodes of <paramref name="mask"/>, which placement leaves out.</summary>
        private IReadOnlyCollection<NodeKey> Hidden(ulong mask) => mask == 0
            ? []
            : [.. _reservations.Where((_, i) => i < 64 && (mask & (1UL << i)) != 0).Select(r => new NodeKey(r.Region, r.NodeId))];

        /// <summary>
        /// The first blocked lease of a GPU model holds back the allowed node where running work (in order of its
        /// expected end) frees room for it soonest. Work with no known end never frees room.
        /// </summary>
        private void Reserve(QueuedLeaseRequest lease, PlacementRequest request)
        {
            if (!_reservedModels.Add(lease.Request.GpuModel))
            {
                return;
            }

            NodeReservation? best = null;
            foreach (var (region, _) in RegionPreference.Order(_working, request))
            {
                foreach (var node in region.Nodes)
                {
                    if (!request.Resources.AllowsModel(node.Model) ||
                        _reservations.Any(r => r.Region == node.Region && r.NodeId == node.NodeId) ||
                        StartOn(node, request.Resources) is not { } start)
                    {
                        continue;
                    }

                    if (best is null || start < best.Start)
                    {
                        best = new NodeReservation(lease.Id, node.Region, node.NodeId, start, _admitted.Count);
                    }
                }
            }

            if (best is not null)
            {
                _reservations.Add(best);
            }
        }

        private DateTimeOffset? StartOn(NodeState node, ResourceRequest resources)
        {
            if (node.Fits(resources))
            {
                return asOf;
            }

            var freed = node;
            foreach (var a in node.Allocations.Values
                         .Where(a => a.Terms is not null)
                         .OrderBy(a => a.Terms!.ExpectedEnd)
                         .ThenBy(a => a.HolderId, StringComparer.Ordinal))
            {
                freed = freed.Release(a.HolderId);
                if (freed.Fits(resources))
                {
                    return a.Terms!.ExpectedEnd > asOf ? a.Terms.ExpectedEnd : asOf;
                }
            }

            return null;
        }

        private (ImmutableDictionary<CapacityPool, long> Guaranteed, Dictionary<CapacityPool, long> Held) PoolsOf(string region)
        {
            if (!_pools.TryGetValue(region, out var pools))
            {
                var of = RegionPools.Of(region, _working.First(r => r.Region.Id == region).Nodes, quotas);
                pools = (of.Guaranteed, of.Held.ToDictionary());
                _pools[region] = pools;
            }

            return pools;
        }

        private QueuedLeaseRequest? Next(List<Queue<QueuedLeaseRequest>> byTenant)
        {
            Queue<QueuedLeaseRequest>? best = null;
            foreach (var tenantQueue in byTenant)
            {
                if (tenantQueue.Count > 0 && (best is null || Compare(tenantQueue.Peek(), best.Peek()) < 0))
                {
                    best = tenantQueue;
                }
            }

            return best?.Dequeue();
        }

        private int Compare(QueuedLeaseRequest a, QueuedLeaseRequest b) => AdmissionOrder.Compare(
            (a.Request.Class, a.EnqueuedAt, a.Tenant, a.Id), (b.Request.Class, b.EnqueuedAt, b.Tenant, b.Id), _tenantUse, asOf, options.AgeBoostAfter);
    }

    /// <summary>
    /// What placement sees of a request (everything but its holder id) and which reserved nodes were hidden from it:
    /// equal shapes on the same working nodes place alike.
    /// </summary>
    private readonly record struct UnplaceableShape(
        string Models, GpuDemand Gpu, int CpuMilli, long MemoryMiB, string? PinnedRegion, GeoPoint? ClientLocation,
        double? MaxLatencyMs, ulong Blocking)
    {
        public UnplaceableShape(PlacementRequest request, ulong blocking)
            : this(
                string.Join('\n', request.Resources.AllowedModels.Select(m => m.ToUpperInvariant())),
                request.Resources.Gpu, request.Resources.CpuMilli, request.Resources.MemoryMiB,
                request.PinnedRegion?.ToUpperInvariant(), request.ClientLocation, request.MaxLatencyMs, blocking)
        {
        }
    }
}
