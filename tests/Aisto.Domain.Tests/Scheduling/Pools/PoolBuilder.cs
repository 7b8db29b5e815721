using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling.Pools;

namespace Aisto.Domain.Tests.Scheduling.Pools;

/// <summary>Fluent fixtures for admission: <c>Region(gpus: 16).Running("r1", CapacityPool.Depin, gpus: 4, borrowed: true)</c>.</summary>
internal sealed class PoolRegionBuilder(int gpus, PoolQuotas quotas)
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly List<RunningWork> _running = [];

    public static PoolRegionBuilder Region(int gpus, PoolQuotas? quotas = null) => new(gpus, quotas ?? PoolQuotas.Default);

    public static ResourceAmount Gpus(int gpus) => new(gpus * 1000L, gpus * 8000L, gpus * 65536L);

    public static QueuedRequest Request(
        string id, int gpus, CapacityPool pool = CapacityPool.Leasing, LeaseClass leaseClass = LeaseClass.OnDemand,
        string tenant = "t1", int waitedMinutes = 1, int hours = 2) =>
        new(id, tenant, pool, leaseClass, Gpus(gpus), Now.AddMinutes(-waitedMinutes), TimeSpan.FromHours(hours));

    public PoolRegionBuilder Running(
        string id, CapacityPool pool, int gpus, bool borrowed = false, LeaseClass leaseClass = LeaseClass.OnDemand,
        string tenant = "other", int endsInMinutes = 60, int startedMinutesAgo = 10)
    {
        _running.Add(new RunningWork(id, tenant, pool, leaseClass, Gpus(gpus), Now.AddMinutes(-startedMinutesAgo), Now.AddMinutes(endsInMinutes), borrowed));
        return this;
    }

    public PoolSnapshot ToSnapshot() => new(Gpus(gpus), quotas, [.. _running]);

    public AdmissionResult Admit(params QueuedRequest[] queue) => AdmissionCycle.Run(ToSnapshot(), queue, Now);
}
