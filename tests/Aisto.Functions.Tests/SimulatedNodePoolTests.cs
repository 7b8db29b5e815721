using Aisto.Domain.Regions;
using Aisto.Infrastructure.Regions;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Time.Testing;

namespace Aisto.Functions.Tests;

/// <summary>The simulated region's node pools, on the storage emulator with a fake clock: the port's promises.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class SimulatedNodePoolTests : IAsyncLifetime
{
    private static readonly TimeSpan NodeDelay = TimeSpan.FromMinutes(10);
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 4, 12, 0, 0, TimeSpan.Zero));
    private AistoTables tables = null!;

    public async Task InitializeAsync()
    {
        tables = await StorageEmulator.FreshTablesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A region of one L40S pool: two nodes to start with, at most four (a new instance = a restart).</summary>
    private SimulatedRegion Region() => new(
        new RegionInfo("singapore", "Singapore", new GeoPoint(1.29, 103.85)),
        [new NodePoolOptions { Model = "L40S", Nodes = 2, MaxNodes = 4, GpusPerNode = 8, CpuCores = 64, MemoryGiB = 512 }],
        TimeSpan.FromSeconds(1), NodeDelay, tables, new SimulatedRegionFaults(), clock);

    private static async Task<string[]> NodeIdsAsync(IRegion region) =>
        [.. (await region.ListNodesAsync()).Select(n => n.NodeId).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Provisioning_answers_the_phase_a_read_of_the_workload_gives_then_and_again_when_asked_twice()
    {
        var region = Region();
        var spec = new WorkloadSpec("lse_1", "tenant-a", "leasing", "singapore-l40s-01", "L40S", [0], 1000, null);

        var started = await region.ProvisionAsync(spec);
        var read = await region.GetWorkloadStateAsync("lse_1");
        clock.Advance(TimeSpan.FromSeconds(1));
        var again = await region.ProvisionAsync(spec);

        Assert.Equal((WorkloadPhase.Pending, WorkloadPhase.Pending), (started.Phase, read.Phase));
        Assert.Equal(WorkloadPhase.Running, again.Phase);
        Assert.Equal(again, await region.GetWorkloadStateAsync("lse_1"));
    }

    [Fact]
    public async Task Nodes_asked_for_are_listed_only_after_the_node_provisioning_delay()
    {
        var region = Region();

        await region.ScaleNodePoolAsync(new NodePoolScaleRequest("l40s", 4, []));
        var pending = Assert.Single(await region.ListNodePoolsAsync());
        var listedEarly = await NodeIdsAsync(region);
        clock.Advance(NodeDelay);
        var ready = Assert.Single(await region.ListNodePoolsAsync());

        Assert.Equal((2, 4, 2, 4), (pending.ReadyNodes, pending.DesiredNodes, pending.MinNodes, pending.MaxNodes));
        Assert.Equal(["singapore-l40s-01", "singapore-l40s-02"], listedEarly);
        Assert.Equal((4, 4), (ready.ReadyNodes, ready.DesiredNodes));
        Assert.Equal(["singapore-l40s-01", "singapore-l40s-02", "singapore-l40s-03", "singapore-l40s-04"], await NodeIdsAsync(region));
    }

    [Fact]
    public async Task Asking_twice_for_the_same_changes_nothing_and_the_maximum_bounds_every_request()
    {
        var region = Region();

        await region.ScaleNodePoolAsync(new NodePoolScaleRequest("l40s", 3, []));
        await region.ScaleNodePoolAsync(new NodePoolScaleRequest("l40s", 3, []));
        var twice = Assert.Single(await region.ListNodePoolsAsync());
        await region.ScaleNodePoolAsync(new NodePoolScaleRequest("l40s", 40, []));
        var bounded = Assert.Single(await region.ListNodePoolsAsync());

        Assert.Equal(3, twice.DesiredNodes);
        Assert.Equal(4, bounded.DesiredNodes);
    }

    [Fact]
    public async Task Scale_in_removes_only_the_named_nodes_for_good_and_new_nodes_never_reuse_their_ids()
    {
        await Region().ScaleNodePoolAsync(new NodePoolScaleRequest("l40s", 3, []));
        clock.Advance(NodeDelay);

        await Region().ScaleNodePoolAsync(new NodePoolScaleRequest("l40s", 2, ["singapore-l40s-01"]));
        var afterRestart = await NodeIdsAsync(Region());
        await Region().ScaleNodePoolAsync(new NodePoolScaleRequest("l40s", 3, []));
        clock.Advance(NodeDelay);

        Assert.Equal(["singapore-l40s-02", "singapore-l40s-03"], afterRestart);
        Assert.Equal(["singapore-l40s-02", "singapore-l40s-03", "singapore-l40s-04"], await NodeIdsAsync(Region()));
    }

    [Fact]
    public async Task Shrinking_without_names_cancels_only_nodes_still_on_their_way()
    {
        var region = Region();
        await region.ScaleNodePoolAsync(new NodePoolScaleRequest("l40s", 4, []));

        await region.ScaleNodePoolAsync(new NodePoolScaleRequest("l40s", 1, []));
        var pool = Assert.Single(await region.ListNodePoolsAsync());

        Assert.Equal((2, 2), (pool.ReadyNodes, pool.DesiredNodes));
    }
}
