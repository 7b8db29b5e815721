using Aisto.Domain.Regions;

namespace Aisto.Domain.Monitoring;

/// <summary>What a region has and does now: its GPUs per model and pool, queues and recent waits.</summary>
public sealed record RegionStatus(RegionInfo Region, bool IsUp, int Nodes, IReadOnlyList<GpuModelStatus> Models)
{
    public int TotalGpus => Models.Sum(m => m.Total);

    public decimal AllocatedGpus => Models.Sum(m => m.Allocated);

    public decimal Utilization => TotalGpus == 0 ? 0m : Math.Round(AllocatedGpus / TotalGpus, 4);

    public int QueueLength => Models.Sum(m => m.QueueLength);
}

/// <summary>One GPU model in one region: capacity, use, queue and wait percentiles over the wait window.</summary>
/// <param name="OldestQueuedSeconds">How long the oldest lease still queued for this model has waited.</param>
public sealed record GpuModelStatus(
    string Model,
    int Nodes,
    int Total,
    decimal Allocated,
    decimal Free,
    decimal Utilization,
    int QueueLength,
    double? OldestQueuedSeconds,
    WaitPercentiles Wait,
    IReadOnlyList<PoolStatus> Pools);

/// <summary>
/// One capacity pool of one model in one region. <c>Total</c> is the pool's guaranteed share; <c>Borrowed</c> is
/// what the pool holds beyond it (idle quota of other pools); <c>Free</c> is its own share still unused.
/// </summary>
public sealed record PoolStatus(
    string Pool,
    decimal Total,
    decimal Allocated,
    decimal Borrowed,
    decimal Free,
    decimal Utilization,
    int QueueLength,
    WaitPercentiles Wait);

/// <summary>Queue waits (request → active) of the leases that started within the window, in seconds.</summary>
public sealed record WaitPercentiles(int Samples, double? P50Seconds, double? P95Seconds)
{
    public static WaitPercentiles None { get; } = new(0, null, null);
}
