using Aisto.Domain.Scheduling;
using Aisto.Infrastructure.Regions;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Time.Testing;

namespace Aisto.Functions.Tests;

/// <summary>
/// Giving a booking back (storage emulator, two processes' inventory stores on one booking sheet): the release
/// writes from this process's copy of the node when it is current, and from a fresh read when another process
/// wrote the node since; either way only that booking goes.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class CapacityReleaseTests : IAsyncLifetime
{
    private const string Region = SimulatedSingapore.Region;
    private const string Node = "singapore-l40s-01";
    private TableInventoryStore mine = null!;
    private TableInventoryStore other = null!;

    public async Task InitializeAsync()
    {
        var (tables, regions, inventory) = await SimulatedSingapore.StartAsync(nodes: 1, new FakeTimeProvider());
        mine = inventory;
        other = new TableInventoryStore(tables, regions);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_release_after_another_process_booked_the_node_removes_only_its_own_booking()
    {
        await BookAsync(mine, "lse_mine");
        await mine.ViewNodesAsync(); // this process's copy now holds its booking, with the ETag of its write
        await BookAsync(other, "lse_other");

        var released = await new CapacityRelease(mine, new InventoryWriteGate())
            .ReleaseAsync(new ReleaseCapacityInput("lse_mine", Region, Node), CancellationToken.None);

        Assert.True(released);
        Assert.Equal(["lse_other"], (await other.GetNodeAsync(Region, Node))!.Node.Allocations.Keys);
    }

    [Fact]
    public async Task Releasing_twice_gives_the_booking_back_once()
    {
        await BookAsync(mine, "lse_mine");
        var release = new CapacityRelease(mine, new InventoryWriteGate());
        var input = new ReleaseCapacityInput("lse_mine", Region, Node);

        var first = await release.ReleaseAsync(input, CancellationToken.None);
        var second = await release.ReleaseAsync(input, CancellationToken.None);

        Assert.Equal((true, false), (first, second));
        Assert.Empty((await other.GetNodeAsync(Region, Node))!.Node.Allocations);
    }

    private static async Task BookAsync(TableInventoryStore store, string leaseId)
    {
        var row = (await store.GetNodeAsync(Region, Node))!;
        var booked = row.Node.TryAllocate(leaseId, ResourceRequest.For("L40S", GpuDemand.Whole(2), 4, 16), "leasing")!.Value.Node;
        Assert.True(await store.TryReplaceAsync(row, booked));
    }
}
