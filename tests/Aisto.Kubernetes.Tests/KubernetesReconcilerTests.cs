using Aisto.Domain.Leases;
using static Aisto.Kubernetes.Tests.ClusterBuilder;

namespace Aisto.Kubernetes.Tests;

/// <summary>Reconciliation of a cluster with the lease store and the booking sheet (in-test API server + Azurite).</summary>
public sealed class KubernetesReconcilerTests : IAsyncLifetime
{
    private RegionWorld world = null!;

    public async Task InitializeAsync()
    {
        world = await RegionWorld.StartAsync();
        world.Api.Put("nodes", null, Node("gpu-h100-01", "NVIDIA-H100-80GB-HBM3", 8));
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task Jobs_of_unknown_ended_or_elsewhere_placed_leases_are_deleted_and_the_active_lease_keeps_its_job()
    {
        var active = await world.LeaseAsync("lse_active00000000000000000", LeaseStatus.Active);
        var released = await world.LeaseAsync("lse_released000000000000000", LeaseStatus.Released);
        var moved = await world.LeaseAsync("lse_moved000000000000000000", LeaseStatus.Active, region: "singapore");
        await world.BookAsync("gpu-h100-01", active.LeaseId, 2);
        foreach (var id in new[] { active.LeaseId, released.LeaseId, moved.LeaseId, "lse_unknown0000000000000000" })
        {
            await world.UsEast.ProvisionAsync(WholeGpuLease(id));
        }

        var report = await world.Reconciler.ReconcileAsync(world.UsEast);

        Assert.Equal(
            ["lse_moved000000000000000000", "lse_released000000000000000", "lse_unknown0000000000000000"],
            report.OrphansDeleted.Order(StringComparer.Ordinal));
        var left = Assert.Single(world.Api.List("jobs"));
        Assert.Equal(active.LeaseId, (string?)left["metadata"]!["labels"]!["aisto.io/lease-id"]);
        Assert.Empty(report.Reprovisioned);
    }

    [Fact]
    public async Task The_workload_of_an_active_lease_that_vanished_is_provisioned_again_on_its_booked_gpus()
    {
        var lease = await world.LeaseAsync("lse_vanished000000000000000", LeaseStatus.Active);
        await world.BookAsync("gpu-h100-01", lease.LeaseId, 2);
        await world.UsEast.ProvisionAsync(WholeGpuLease(lease.LeaseId));
        world.Api.Remove("jobs", "aisto-tenant-a", "lse-vanished000000000000000"); // kubectl delete, node loss, ...

        var report = await world.Reconciler.ReconcileAsync(world.UsEast);
        var again = await world.Reconciler.ReconcileAsync(world.UsEast);

        Assert.Equal([lease.LeaseId], report.Reprovisioned);
        Assert.Empty(again.Reprovisioned);
        var job = Assert.Single(world.Api.List("jobs"));
        Assert.Equal("0,1", (string?)job["metadata"]!["annotations"]!["aisto.io/gpu-indices"]);
        Assert.Equal("gpu-h100-01", (string?)job["spec"]!["template"]!["spec"]!["nodeSelector"]!["kubernetes.io/hostname"]);
        Assert.Equal("EPOCHS", (string?)job["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]![0]!["name"]);
    }

    [Fact]
    public async Task A_lease_active_for_less_than_the_grace_period_is_left_alone()
    {
        var lease = await world.LeaseAsync("lse_young000000000000000000", LeaseStatus.Active, activeAt: DateTimeOffset.UtcNow);
        await world.BookAsync("gpu-h100-01", lease.LeaseId, 2);

        var report = await world.Reconciler.ReconcileAsync(world.UsEast);

        Assert.Empty(report.Reprovisioned);
        Assert.Empty(world.Api.List("jobs"));
    }

    [Fact]
    public async Task New_nodes_join_the_booking_sheet_and_gpus_held_by_foreign_pods_are_booked_then_given_back()
    {
        world.Api.Put("nodes", null, Node("gpu-h100-02", "NVIDIA-H100-80GB-HBM3", 8));
        await world.Inventory.EnsureNodeAsync(new Aisto.Domain.Scheduling.NodeState("gpu-h100-01", "us-east", "H100", 8, 95_500, 1_032_192));
        world.Api.Put("pods", "research", ExternalPod("notebook", "gpu-h100-02", "nvidia.com/gpu", 3));

        var first = await world.Reconciler.ReconcileAsync(world.UsEast);
        var booked = await world.AllocationsOnAsync("gpu-h100-02");
        world.Api.Remove("pods", "research", "notebook");
        var second = await world.Reconciler.ReconcileAsync(world.UsEast);

        Assert.Equal(["gpu-h100-02"], first.NodesAdded);
        Assert.Equal(3, booked["k8s:research/notebook"].GpuIndices.Length);
        Assert.Equal("external", booked["k8s:research/notebook"].Pool);
        Assert.Equal(["k8s:research/notebook"], second.ExternalBookings);
        Assert.Empty(await world.AllocationsOnAsync("gpu-h100-02"));
    }
}
