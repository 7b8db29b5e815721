using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling.Pools;
using CsCheck;

namespace Aisto.Domain.Tests.Scheduling.Pools;

/// <summary>Invariants of admission over random regions, running work and queues.</summary>
public sealed class AdmissionPropertyTests
{
    private static readonly DateTimeOffset Now = PoolRegionBuilder.Now;

    private static readonly Gen<ResourceAmount> GenDemand =
        Gen.Select(Gen.Int[1, 16], Gen.Int[1, 64], Gen.Int[1, 512], (tenthGpus, cores, gib) => new ResourceAmount(tenthGpus * 500L, cores * 1000L, gib * 1024L));

    private static readonly Gen<QueuedRequest> GenRequest =
        Gen.Select(Gen.Int[0, 9999], Gen.Int[0, 3], Gen.Enum<CapacityPool>(), Gen.Enum<LeaseClass>(), GenDemand, Gen.Int[0, 120], Gen.Int[1, 600],
            (id, tenant, pool, leaseClass, demand, waited, minutes) =>
                new QueuedRequest($"q{id}", $"t{tenant}", pool, leaseClass, demand, Now.AddMinutes(-waited), TimeSpan.FromMinutes(minutes)));

    /// <summary>A valid snapshot: running work built by admitting a random queue into an empty region.</summary>
    private static readonly Gen<PoolSnapshot> GenSnapshot =
        Gen.Select(Gen.Int[4, 64], Gen.Int[64, 1024], GenRequest.Array[0, 25], (gpus, cores, initial) =>
        {
            var capacity = new ResourceAmount(gpus * 1000L, cores * 1000L, cores * 8192L);
            var empty = new PoolSnapshot(capacity, PoolQuotas.Default, []);
            var admitted = AdmissionCycle.Run(empty, Distinct(initial), Now.AddHours(-1)).Admitted;
            return empty with
            {
                Running = [.. admitted.Select(a => new RunningWork(
                    "r-" + a.Request.Id, a.Request.Tenant, a.Request.Pool, a.Request.Class, a.Request.Demand,
                    Now.AddHours(-1), Now.AddHours(-1) + a.Request.Duration + TimeSpan.FromHours(1), a.Borrowed))],
            };
        });

    private static QueuedRequest[] Distinct(QueuedRequest[] queue) => [.. queue.DistinctBy(q => q.Id)];

    private static ResourceAmount Sum(IEnumerable<ResourceAmount> amounts) => amounts.Aggregate(ResourceAmount.Zero, (a, b) => a + b);

    [Fact]
    public void Admission_never_allocates_more_GPU_CPU_or_memory_than_the_region_has() =>
        Gen.Select(GenSnapshot, GenRequest.Array[0, 40]).Sample((snapshot, queue) =>
        {
            var result = AdmissionCycle.Run(snapshot, Distinct(queue), Now);

            var stillRunning = snapshot.Running.Except(result.Preempted.Select(p => p.Work));
            var held = Sum(stillRunning.Select(w => w.Held).Concat(result.Admitted.Select(a => a.Request.Demand)));
            Assert.True(held.FitsIn(snapshot.Capacity), $"{held} exceeds {snapshot.Capacity}");
        }, iter: 300);

    [Fact]
    public void No_pool_ever_holds_more_than_its_guarantee_without_borrowing_and_reserved_work_never_borrows() =>
        Gen.Select(GenSnapshot, GenRequest.Array[0, 40]).Sample((snapshot, queue) =>
        {
            var result = AdmissionCycle.Run(snapshot, Distinct(queue), Now);

            var guarantees = snapshot.Quotas.GuaranteedGpuMilli(snapshot.Capacity.GpuMilli);
            var stillRunning = snapshot.Running.Except(result.Preempted.Select(p => p.Work)).Select(w => (w.Pool, w.Held.GpuMilli, w.Borrowed));
            var all = stillRunning.Concat(result.Admitted.Select(a => (a.Request.Pool, a.Request.Demand.GpuMilli, a.Borrowed))).ToList();
            foreach (var pool in Enum.GetValues<CapacityPool>())
            {
                Assert.InRange(all.Where(w => w.Pool == pool && !w.Borrowed).Sum(w => w.GpuMilli), 0, guarantees[pool]);
            }

            Assert.DoesNotContain(result.Admitted, a => a.Borrowed && a.Request.Class == LeaseClass.Reserved);
        }, iter: 300);

    [Fact]
    public void Reclaim_takes_only_borrowed_non_reserved_work_of_other_pools_for_a_request_within_its_guarantee() =>
        Gen.Select(GenSnapshot, GenRequest.Array[0, 40]).Sample((snapshot, queue) =>
        {
            var result = AdmissionCycle.Run(snapshot, Distinct(queue), Now);

            foreach (var preemption in result.Preempted)
            {
                var beneficiary = Assert.Single(result.Admitted, a => a.Request.Id == preemption.ForRequestId);
                Assert.True(preemption.Work.Borrowed);
                Assert.NotEqual(LeaseClass.Reserved, preemption.Work.Class);
                Assert.NotEqual(beneficiary.Request.Pool, preemption.Work.Pool);
                Assert.False(beneficiary.Borrowed);
            }
        }, iter: 300);

    [Fact]
    public void Estimated_waits_never_shrink_further_back_in_the_queue() =>
        Gen.Select(GenSnapshot, GenRequest.Array[0, 40]).Sample((snapshot, queue) =>
        {
            var waits = AdmissionCycle.Run(snapshot, Distinct(queue), Now).Waiting;

            Assert.Equal(Enumerable.Range(1, waits.Count), waits.Select(w => w.Position));
            var known = waits.TakeWhile(w => w.EstimatedWait is not null).Select(w => w.EstimatedWait!.Value).ToList();
            Assert.Equal(known.Order(), known);
        }, iter: 300);

    [Fact]
    public void A_large_request_starts_within_the_age_boost_plus_the_longest_job_however_many_small_ones_arrive() =>
        Gen.Select(Gen.Int[8, 32], Gen.Int[1, 8].Array[40, 120], Gen.Int[0, 3].Array[40, 120], Gen.Int[5, 180].Array[40, 120])
            .Sample((gpus, smallGpus, tenants, minutes) =>
            {
                // One region, one pool, one class; every cycle (1 minute) small jobs arrive from several tenants.
                var options = AdmissionOptions.Default;
                var longest = TimeSpan.FromMinutes(180);
                var capacity = new ResourceAmount(gpus * 1000L, gpus * 8000L, gpus * 65536L);
                var quotas = new PoolQuotas(100, 0, 0);
                var big = new QueuedRequest("big", "t-big", CapacityPool.Leasing, LeaseClass.OnDemand, capacity, Now, TimeSpan.FromMinutes(30));
                // The region starts full of 1-GPU jobs ending at staggered times.
                var running = Enumerable.Range(0, gpus)
                    .Select(g => new RunningWork($"initial-{g}", "t-initial", CapacityPool.Leasing, LeaseClass.OnDemand, new ResourceAmount(1000, 1000, 1024), Now, Now.AddMinutes(minutes[g % minutes.Length]), false))
                    .ToList();
                var queue = new List<QueuedRequest> { big };
                var now = Now;
                var bound = Now + options.AgeBoostAfter + longest + TimeSpan.FromMinutes(1);
                var started = false;
                for (var cycle = 0; now <= bound && !started; cycle++, now = now.AddMinutes(1))
                {
                    running.RemoveAll(w => w.ExpectedEnd <= now);
                    queue.Add(new QueuedRequest(
                        $"small-{cycle}", $"t{tenants[cycle % tenants.Length]}", CapacityPool.Leasing, LeaseClass.OnDemand,
                        new ResourceAmount(Math.Min(smallGpus[cycle % smallGpus.Length], gpus) * 1000L, 1000, 1024), now,
                        TimeSpan.FromMinutes(minutes[cycle % minutes.Length])));

                    var result = AdmissionCycle.Run(new PoolSnapshot(capacity, quotas, [.. running]), queue, now, options);
                    foreach (var a in result.Admitted)
                    {
                        started |= a.Request.Id == "big";
                        queue.Remove(a.Request);
                        running.Add(new RunningWork(a.Request.Id, a.Request.Tenant, a.Request.Pool, a.Request.Class, a.Request.Demand, now, now + a.Request.Duration, a.Borrowed));
                    }
                }

                Assert.True(started, $"the large request was still queued at {now:t}, bound {bound:t}");
            }, iter: 60);
}
