using Aisto.Domain.Scheduling;
using Aisto.Infrastructure.Regions;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
    private const string Region = "singapore";
    private const string Node = "singapore-l40s-01";
    private TableInventoryStore mine = null!;
    private TableInventoryStore other = null!;

    public async Task InitializeAsync()
    {
        var tables = await StorageEmulator.FreshTablesAsync();
        var fleet = new RegionsOptions
        {
            Items = [new RegionOptions
            {
                Id = Region, DisplayName = "Singapore", Lat = 1.29, Lon = 103.85,
                NodePools = [new NodePoolOptions { Model = "L40S", Nodes = 1, MinNodes = 0, CpuCores = 64, MemoryGiB = 512 }],
            }],
        };
        var regions = new ConfiguredRegionDirectory(Options.Create(fleet), tables, new SimulatedRegionFaults(), new FakeTimeProvider());
        mine = new TableInventoryStore(tables, regions);
        other = new TableInventoryStore(tables, regions);
        await new InventorySync(regions, mine, NullLogger<InventorySync>.Instance).SyncAsync(CancellationToken.None);
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
