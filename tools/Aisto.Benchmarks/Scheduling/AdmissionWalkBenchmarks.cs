using Aisto.Domain.Leases;
using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;
using Aisto.Domain.Scheduling.Quoting;
using BenchmarkDotNet.Attributes;

namespace Aisto.Benchmarks.Scheduling;

/// <summary>
/// One admission walk (<see cref="QueueAdmission"/>) over a long queue — three regions of 8-GPU nodes of four
/// models and <see cref="Queued"/> 1-GPU leases of two tenants waiting. On a <c>full</c> fleet (the load test's
/// situation) every GPU is held for the next hour; on a <c>half</c> one each node has 4 GPUs free, so the walk admits
/// 144 leases and every admission changes what the next placement sees. Booking attempts, lease ends and queued
/// lease reads each run one walk.
/// </summary>
[MemoryDiagnoser]
public class AdmissionWalkBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Models = ["H100", "A100", "L40S", "RTX4090"];
    private readonly IPlacementPolicy _placement = new FragmentationAwarePlacement();
    private IReadOnlyList<RegionSnapshot> _regions = [];
    private List<QueuedLeaseRequest> _queue = [];
    private Dictionary<string, long> _held = [];

    [Params(100, 2000)]
    public int Queued { get; set; }

    [Params("full", "half")]
    public string Fleet { get; set; } = "full";

    [GlobalSetup]
    public void Setup()
    {
        (string Id, double Lat, double Lon)[] regions = [("us-east", 38.9, -77.0), ("singapore", 1.35, 103.8), ("malaysia", 3.14, 101.7)];
        _regions = [.. regions.Select(r => new RegionSnapshot(
            new RegionInfo(r.Id, r.Id, new GeoPoint(r.Lat, r.Lon)),
            [.. Enumerable.Range(0, 12).Select(i => Full(r.Id, $"{r.Id}-{i:00}", Models[i % Models.Length], i))]))];
        _queue = [.. Enumerable.Range(0, Queued).Select(i => new QueuedLeaseRequest(
            $"q{i:00000}", i % 3 == 0 ? "tenant-b" : "tenant-a",
            new LeaseRequest(Models[i % Models.Length], GpuDemand.Whole(1), 4, 32, 1m, LeaseClass.OnDemand, LeasePool.Leasing,
                LeasePurpose.Training, null, null, null, PreemptionAction.End, null),
            Now.AddSeconds(-Queued + i)))];
        _held = new() { ["tenant-a"] = 200_000, ["tenant-b"] = 88_000 };
    }

    [Benchmark]
    public int WholeWalk() =>
        QueueAdmission.Run(_regions, _queue, _held, _placement, PoolQuotas.Default, Now).Order.Count;

    [Benchmark]
    public int DecideTheLast() =>
        QueueAdmission.Run(_regions, _queue, _held, _placement, PoolQuotas.Default, Now, decide: _queue[^1].Id).Order.Count;

    /// <summary>The estimated wait of the last queued lease (a queued lease's GET): a replay of the queue ahead of it.</summary>
    [Benchmark]
    public TimeSpan? WaitOfTheLast()
    {
        var outlook = new CapacityOutlook(
            _regions,
            [.. _queue.Select(q => new WaitingLease(q.Id, q.Request.GpuModel, q.Request.Region, q.Request.Gpu.TotalMilli, q.Request.Duration))],
            new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal),
            Now,
            TimeSpan.FromHours(1));
        return WaitForecaster.ForQueuedLease(outlook, _queue[^1].Id, _queue[^1].Request);
    }

    private NodeState Full(string region, string id, string model, int i)
    {
        var node = new NodeState(id, region, model, 8, 128_000, 1024 * 1024);
        for (var g = 0; g < (Fleet == "half" ? 4 : 8); g++)
        {
            node = node.TryAllocate(
                $"{id}-run{g}", ResourceRequest.For(model, GpuDemand.Whole(1), 4, 32), g < 4 ? "leasing" : "depin",
                new BookingTerms(LeaseClass.OnDemand, Now.AddHours(-1), Now.AddMinutes(10 + (7 * i) + g)))!.Value.Node;
        }

        return node;
    }
}
