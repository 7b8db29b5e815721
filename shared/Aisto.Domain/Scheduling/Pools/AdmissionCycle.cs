using Aisto.Domain.Leases;

namespace Aisto.Domain.Scheduling.Pools;

/// <summary>
/// One Kueue-like admission cycle for a region, on an immutable snapshot: admits queued requests in order of class
/// (reserved, on-demand, spot), age (long waiters first) and per-tenant fair share (the tenant holding least goes
/// first), within pool guarantees or on borrowed idle quota, reclaiming borrowed work when a pool needs its
/// guarantee back. The first request that cannot start gets a reservation (EASY backfill): later requests may
/// start only if they end before its reserved start or fit in what it leaves spare, so it is never starved.
/// </summary>
public static class AdmissionCycle
{
    public static AdmissionResult Run(
        PoolSnapshot snapshot, IReadOnlyList<QueuedRequest> queue, DateTimeOffset asOf, AdmissionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(queue);
        options ??= AdmissionOptions.Default;

        // 1. Working state from the snapshot.
        var running = snapshot.Running.ToList();
        var guarantee = snapshot.Quotas.GuaranteedGpuMilli(snapshot.Capacity.GpuMilli);
        var free = snapshot.Capacity;
        var guaranteedUse = Enum.GetValues<CapacityPool>().ToDictionary(p => p, _ => 0L);
        var tenantUse = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var w in running)
        {
            free -= w.Held;
            if (!w.Borrowed)
            {
                guaranteedUse[w.Pool] += w.Held.GpuMilli;
            }

            tenantUse[w.Tenant] = tenantUse.GetValueOrDefault(w.Tenant) + w.Held.GpuMilli;
        }

        // 2. Per-tenant queues in class and age order; the cycle repeatedly takes the best tenant head.
        var byTenant = queue
            .GroupBy(q => q.Tenant, StringComparer.Ordinal)
            .Select(g => new Queue<QueuedRequest>(g.OrderBy(q => AdmissionOrder.ClassRank(q.Class)).ThenBy(q => q.EnqueuedAt).ThenBy(q => q.Id, StringComparer.Ordinal)))
            .ToList();

        var admitted = new List<Admission>();
        var preempted = new List<Preemption>();
        var waiting = new List<QueuedRequest>();
        var admittedIds = new HashSet<string>(StringComparer.Ordinal);
        Reservation? head = null;

        while (NextInOrder(byTenant, tenantUse, asOf, options) is { } request)
        {
            // 3. Within the pool's guarantee, or borrowing another pool's idle quota (never for reserved work).
            var within = guaranteedUse[request.Pool] + request.Demand.GpuMilli <= guarantee[request.Pool];
            var mayStart = head is null || head.Allows(request, asOf);
            IReadOnlyList<RunningWork>? victims = null;
            if (mayStart && request.Demand.FitsIn(free) && (within || request.Class != LeaseClass.Reserved))
            {
                victims = [];
            }
            else if (within && head is null)
            {
                // 4. Reclaim: the pool is owed its guarantee; preempt borrowed work of other pools (not work this
                //    cycle has just admitted: admitting and preempting in one breath is pure churn).
                victims = ReclaimPlanner.Plan(running.Where(w => !admittedIds.Contains(w.Id)), request.Pool, request.Demand, free);
            }

            if (victims is null)
            {
                // 5. Cannot start now: the first such request is reserved its earliest start; the rest wait.
                head ??= Reservation.For(request, running, free, asOf);
                waiting.Add(request);
                continue;
            }

            foreach (var victim in victims)
            {
                running.Remove(victim);
                free += victim.Held;
                tenantUse[victim.Tenant] -= victim.Held.GpuMilli;
                preempted.Add(new Preemption(victim, request.Id));
            }

            // 6. Admit.
            free -= request.Demand;
            if (within)
            {
                guaranteedUse[request.Pool] += request.Demand.GpuMilli;
            }

            tenantUse[request.Tenant] = tenantUse.GetValueOrDefault(request.Tenant) + request.Demand.GpuMilli;
            head?.Consume(request, asOf);
            running.Add(new RunningWork(request.Id, request.Tenant, request.Pool, request.Class, request.Demand, asOf, asOf + request.Duration, !within));
            admitted.Add(new Admission(request, !within));
            admittedIds.Add(request.Id);
        }

        // 7. Positions and estimated waits of what stays queued.
        return new AdmissionResult(admitted, preempted, WaitEstimator.Estimate(waiting, running, free, asOf));
    }

    private static QueuedRequest? NextInOrder(
        List<Queue<QueuedRequest>> byTenant, Dictionary<string, long> tenantUse, DateTimeOffset asOf, AdmissionOptions options)
    {
        Queue<QueuedRequest>? best = null;
        foreach (var tenantQueue in byTenant)
        {
            if (tenantQueue.Count == 0)
            {
                continue;
            }

            if (best is null || Compare(tenantQueue.Peek(), best.Peek(), tenantUse, asOf, options) < 0)
            {
                best = tenantQueue;
            }
        }

        return best?.Dequeue();
    }

    private static int Compare(QueuedRequest a, QueuedRequest b, Dictionary<string, long> tenantUse, DateTimeOffset asOf, AdmissionOptions options) =>
        AdmissionOrder.Compare((a.Class, a.EnqueuedAt, a.Tenant, a.Id), (b.Class, b.EnqueuedAt, b.Tenant, b.Id), tenantUse, asOf, options.AgeBoostAfter);

    /// <summary>The head's reservation: when it can start (the shadow time) and what it leaves spare then.</summary>
    private sealed class Reservation
    {
        private ResourceAmount _spare;

        private Reservation(DateTimeOffset? start, ResourceAmount spare)
        {
            Start = start;
            _spare = spare;
        }

        /// <summary>Null when running work alone never frees enough: nothing is held back for it then.</summary>
        public DateTimeOffset? Start { get; }

        public static Reservation For(QueuedRequest head, List<RunningWork> running, ResourceAmount free, DateTimeOffset asOf)
        {
            var available = free;
            foreach (var w in running.OrderBy(w => w.ExpectedEnd).ThenBy(w => w.Id, StringComparer.Ordinal))
            {
                if (head.Demand.FitsIn(available))
                {
                    break;
                }

                available += w.Held;
                if (head.Demand.FitsIn(available))
                {
                    return new Reservation(w.ExpectedEnd > asOf ? w.ExpectedEnd : asOf, available - head.Demand);
                }
            }

            return head.Demand.FitsIn(available) ? new Reservation(asOf, available - head.Demand) : new Reservation(null, default);
        }

        /// <summary>Backfill: ends before the head starts, or fits in what the head leaves spare.</summary>
        public bool Allows(QueuedRequest request, DateTimeOffset asOf) =>
            Start is not { } start || asOf + request.Duration <= start || request.Demand.FitsIn(_spare);

        public void Consume(QueuedRequest request, DateTimeOffset asOf)
        {
            if (Start is { } start && asOf + request.Duration > start)
            {
                _spare -= request.Demand;
            }
        }
    }
}
