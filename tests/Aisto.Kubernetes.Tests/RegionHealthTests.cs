using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Infrastructure.Kubernetes;
using static Aisto.Kubernetes.Tests.ClusterBuilder;

namespace Aisto.Kubernetes.Tests;

/// <summary>A region whose API server fails its health checks is down: shown, skipped by placement, caught up later.</summary>
public sealed class RegionHealthTests : IAsyncLifetime
{
    private RegionWorld world = null!;

    public async Task InitializeAsync()
    {
        world = await RegionWorld.StartAsync();
        world.Api.Put("nodes", null, Node("gpu-h100-01", "NVIDIA-H100-80GB-HBM3", 8));
        foreach (var id in world.Directory.Regions.Select(r => r.Id))
        {
            foreach (var node in await world.Directory.Get(id).ListNodesAsync())
            {
                await world.Inventory.EnsureNodeAsync(new NodeState(node.NodeId, id, node.GpuModel, node.Gpus, node.CpuMilli, node.MemoryMiB));
            }
        }
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task A_region_whose_api_server_keeps_failing_is_marked_down_and_placement_goes_elsewhere()
    {
        var request = new PlacementRequest("lse_new", ResourceRequest.For("H100", GpuDemand.Whole(2), 16, 128), "leasing",
            ClientLocation: new Aisto.Domain.Regions.GeoPoint(40.7, -74.0)); // New York: us-east is nearest
        var placement = new FragmentationAwarePlacement();
        var before = placement.Place(await world.Inventory.SnapshotAsync(), request);

        world.Api.Unavailable = true;
        var firstProbe = await world.UsEast.ProbeAsync();
        var upAfterOneFailure = world.Directory.IsUp("us-east");
        await world.UsEast.ProbeAsync();
        var snapshot = await world.Inventory.SnapshotAsync();
        var during = placement.Place(snapshot, request);

        Assert.Equal("us-east", before!.Region);
        Assert.False(firstProbe);
        Assert.True(upAfterOneFailure, "one failed probe is not an outage");
        Assert.False(world.Directory.IsUp("us-east"));
        Assert.False(snapshot.Single(s => s.Region.Id == "us-east").IsUp);
        Assert.True(snapshot.Single(s => s.Region.Id == "singapore").IsUp);
        Assert.Equal("singapore", during!.Region);
        Assert.Contains("503", world.UsEast.DownReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_down_no_change_is_sent_teardowns_wait_and_once_up_reconciliation_removes_what_was_left()
    {
        var lease = await world.LeaseAsync("lse_outage00000000000000000", LeaseStatus.Active);
        await world.UsEast.ProvisionAsync(WholeGpuLease(lease.LeaseId));
        world.Api.Unavailable = true;
        await world.UsEast.ProbeAsync();
        await world.UsEast.ProbeAsync();
        var sentBefore = world.Api.Requests.Count;

        var provision = await Assert.ThrowsAsync<RegionUnavailableException>(() => world.UsEast.ProvisionAsync(WholeGpuLease("lse_other000000000000000000")));
        await world.UsEast.TeardownAsync(lease.LeaseId); // the lease ends during the outage
        await world.Leases.UpdateAsync(lease.LeaseId, l => l with { Status = LeaseStatus.Released });
        var skipped = await world.Reconciler.ReconcileAsync(world.UsEast);
        var changesSentDuring = world.Api.Requests.Skip(sentBefore).Count(r => r.Method != "GET");

        world.Api.Unavailable = false;
        var recovered = await world.UsEast.ProbeAsync();
        var report = await world.Reconciler.ReconcileAsync(world.UsEast);

        Assert.Contains("us-east is down", provision.Message, StringComparison.Ordinal);
        Assert.Equal(0, changesSentDuring);
        Assert.Equal(1, world.UsEast.DeferredTeardowns);
        Assert.StartsWith("down", skipped.Skipped, StringComparison.Ordinal);
        Assert.True(recovered, world.UsEast.LastProbeFailure + string.Join("\n", world.Api.Errors));
        Assert.True(world.Directory.IsUp("us-east"));
        Assert.Equal([lease.LeaseId], report.OrphansDeleted);
        Assert.Empty(world.Api.List("jobs"));
    }
}
