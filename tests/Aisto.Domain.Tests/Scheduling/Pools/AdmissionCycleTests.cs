using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling.Pools;
using static Aisto.Domain.Tests.Scheduling.Pools.PoolRegionBuilder;

namespace Aisto.Domain.Tests.Scheduling.Pools;

/// <summary>The admission cycle, scenario by scenario.</summary>
public sealed class AdmissionCycleTests
{
    [Fact]
    public void A_request_within_its_pools_guarantee_is_admitted_when_there_is_room()
    {
        var result = Region(gpus: 16).Admit(Request("lease-1", gpus: 4));

        Assert.Equal([("lease-1", false)], result.Admitted.Select(a => (a.Request.Id, a.Borrowed)));
    }

    [Fact]
    public void A_pool_borrows_another_pools_idle_quota_and_the_work_is_marked_borrowed()
    {
        // Leasing's guarantee is 8 of 16 GPUs; 12 GPUs needs 4 of DePIN's idle quota.
        var result = Region(gpus: 16).Admit(Request("big-lease", gpus: 12));

        Assert.Equal([("big-lease", true)], result.Admitted.Select(a => (a.Request.Id, a.Borrowed)));
    }

    [Fact]
    public void Reserved_work_never_borrows()
    {
        var result = Region(gpus: 16).Admit(Request("reserved", gpus: 12, leaseClass: LeaseClass.Reserved));

        Assert.Empty(result.Admitted);
        Assert.Equal("reserved", Assert.Single(result.Waiting).RequestId);
    }

    [Fact]
    public void Borrowed_quota_is_reclaimed_when_the_owner_needs_it_spot_before_on_demand()
    {
        var region = Region(gpus: 16)
            .Running("depin-own", CapacityPool.Depin, gpus: 7)
            .Running("depin-borrowed-on-demand", CapacityPool.Depin, gpus: 4, borrowed: true)
            .Running("depin-borrowed-spot", CapacityPool.Depin, gpus: 4, borrowed: true, leaseClass: LeaseClass.Spot);

        var result = region.Admit(Request("lease-1", gpus: 4));

        Assert.Equal("lease-1", Assert.Single(result.Admitted).Request.Id);
        Assert.Equal([("depin-borrowed-spot", "lease-1")], result.Preempted.Select(p => (p.Work.Id, p.ForRequestId)));
    }

    [Fact]
    public void Work_running_within_its_own_guarantee_is_never_preempted()
    {
        var region = Region(gpus: 16).Running("depin-own", CapacityPool.Depin, gpus: 7).Running("lease-own", CapacityPool.Leasing, gpus: 8);

        var result = region.Admit(Request("lease-2", gpus: 2));

        Assert.Empty(result.Preempted);
        Assert.Empty(result.Admitted);
    }

    [Fact]
    public void Among_equal_requests_the_tenant_holding_less_goes_first()
    {
        var region = Region(gpus: 16).Running("heavy-1", CapacityPool.Leasing, gpus: 6, tenant: "heavy");

        var result = region.Admit(
            Request("from-heavy", gpus: 2, tenant: "heavy", waitedMinutes: 5),
            Request("from-light", gpus: 2, tenant: "light", waitedMinutes: 1));

        Assert.Equal("from-light", result.Admitted[0].Request.Id);
    }

    [Fact]
    public void A_long_waiting_request_goes_ahead_of_a_lighter_tenants_younger_one()
    {
        var region = Region(gpus: 16).Running("heavy-1", CapacityPool.Leasing, gpus: 6, tenant: "heavy");

        var result = region.Admit(
            Request("old-from-heavy", gpus: 2, tenant: "heavy", waitedMinutes: 30),
            Request("new-from-light", gpus: 2, tenant: "light", waitedMinutes: 1));

        Assert.Equal("old-from-heavy", result.Admitted[0].Request.Id);
    }

    [Fact]
    public void A_small_request_backfills_when_it_ends_before_the_big_requests_reserved_start()
    {
        // 16 GPUs: 12 free up in an hour, 2 in five hours, 2 are idle. The 14-GPU request is reserved the hour mark,
        // with nothing spare then: a 2-GPU job of one hour fits the hole, one of three hours would delay it.
        var region = Region(gpus: 16, new PoolQuotas(100, 0, 0))
            .Running("busy", CapacityPool.Leasing, gpus: 12, endsInMinutes: 60)
            .Running("busy-long", CapacityPool.Leasing, gpus: 2, endsInMinutes: 300);

        var result = region.Admit(
            Request("big", gpus: 14, waitedMinutes: 10),
            Request("short-small", gpus: 2, waitedMinutes: 1, hours: 1),
            Request("long-small", gpus: 2, waitedMinutes: 2, hours: 3));

        Assert.Equal(["short-small"], result.Admitted.Select(a => a.Request.Id));
        Assert.Equal(["big", "long-small"], result.Waiting.Select(w => w.RequestId));
    }

    [Fact]
    public void Waiting_requests_get_their_position_and_an_estimated_wait()
    {
        var region = Region(gpus: 8, new PoolQuotas(100, 0, 0))
            .Running("a", CapacityPool.Leasing, gpus: 4, endsInMinutes: 30)
            .Running("b", CapacityPool.Leasing, gpus: 4, endsInMinutes: 90);

        var result = region.Admit(Request("first", gpus: 4, waitedMinutes: 10), Request("second", gpus: 4, waitedMinutes: 5));

        Assert.Equal(
            [new QueuePosition("first", 1, TimeSpan.FromMinutes(30)), new QueuePosition("second", 2, TimeSpan.FromMinutes(90))],
            result.Waiting);
    }

    [Theory]
    [InlineData(16000, 50, 45, 5)]
    [InlineData(7, 50, 45, 5)]
    [InlineData(1001, 33, 33, 34)]
    public void Pool_guarantees_always_sum_to_the_regions_GPUs(long gpuMilli, int leasing, int depin, int incubation)
    {
        var guarantees = new PoolQuotas(leasing, depin, incubation).GuaranteedGpuMilli(gpuMilli);

        Assert.Equal(gpuMilli, guarantees.Values.Sum());
    }
}
