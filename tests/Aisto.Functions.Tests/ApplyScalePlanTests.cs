using Aisto.Domain.Scaling;
using Aisto.Domain.Scheduling;
using Aisto.Infrastructure.Regions;
using Aisto.Orchestrations.Regions;
using Aisto.Orchestrations.Scaling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Aisto.Functions.Tests;

/// <summary>
/// Applying a scale-in plan against the real booking sheet and a simulated region (storage emulator): a node is
/// given back only if it holds nothing; a busy one is drained instead, and placement stops using it.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class ApplyScalePlanTests : IAsyncLifetime
{
    private const string Region = SimulatedSingapore.Region;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 4, 12, 0, 0, TimeSpan.Zero));
    private IRegionDirectory regions = null!;
    private TableInventoryStore inventory = null!;

    public async Task InitializeAsync() => (_, regions, inventory) = await SimulatedSingapore.StartAsync(nodes: 3, clock);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Only_idle_nodes_are_given_back_and_a_node_booked_meanwhile_is_drained_instead()
    {
        // Arrange: the plan saw three idle nodes; since then a lease booked node 02.
        var row = (await inventory.GetNodeAsync(Region, "singapore-l40s-02"))!;
        var booked = row.Node.TryAllocate("lse_busy", ResourceRequest.For("L40S", GpuDemand.Whole(4), 4, 16), "leasing")!.Value.Node;
        Assert.True(await inventory.TryReplaceAsync(row, booked));
        var plan = new ScalePlan(clock.GetUtcNow(), new DemandSeriesKey(Region, "L40S", DemandMeter.AllPools), ScaleMode.Act,
            ScaleDirection.In, 0, 0, 3, 1, [ScaleAction.On(ScaleActionKind.Remove, ["singapore-l40s-01", "singapore-l40s-02"])], "test");
        var activity = new ApplyScalePlanActivity(regions, inventory, NullLogger<ApplyScalePlanActivity>.Instance);

        // Act: applied twice, as a retried activity would be.
        var outcome = await activity.ExecuteAsync(new ApplyScalePlanInput(Region, "l40s", plan, 3), CancellationToken.None);
        var again = await activity.ExecuteAsync(new ApplyScalePlanInput(Region, "l40s", plan, 3), CancellationToken.None);

        // Assert: 01 is gone from region and sheet; 02 still runs its lease, cordoned, out of placement's reach.
        Assert.Equal(["singapore-l40s-01"], outcome.NodesRemoved);
        Assert.Equal(["singapore-l40s-02"], outcome.RefusedRemovals);
        Assert.Equal(2, outcome.DesiredNodes);
        Assert.Equal(outcome.DesiredNodes, again.DesiredNodes);
        var pool = Assert.Single(await regions.Get(Region).ListNodePoolsAsync());
        Assert.Equal((2, 2), (pool.ReadyNodes, pool.DesiredNodes));
        Assert.Null(await inventory.GetNodeAsync(Region, "singapore-l40s-01"));
        var drained = (await inventory.GetNodeAsync(Region, "singapore-l40s-02"))!;
        Assert.True(drained.Cordoned);
        Assert.True(drained.Node.Allocations.ContainsKey("lse_busy"));
        var placeable = InventorySnapshots.ToRegions(await inventory.ListNodesAsync(), regions.Regions).Single().Nodes;
        Assert.Equal(["singapore-l40s-03"], placeable.Select(n => n.NodeId));
    }
}
