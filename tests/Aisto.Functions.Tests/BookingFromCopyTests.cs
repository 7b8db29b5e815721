using System.Net;
using System.Net.Http.Json;
using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>
/// A booking tries this process's copy of the nodes first (<see cref="IInventoryStore.ViewNodesAsync"/>). A copy that
/// is out of date either way must not change the outcome: one that still shows GPUs another process has since booked
/// books nothing over them, and one that still shows a node full that has since freed does not leave the lease
/// queued. The copy is made stale on purpose here (a copy taken before the change), against the real table store.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class BookingFromCopyTests : IAsyncLifetime
{
    private const string Region = "malaysia";
    private const string Model = "H100";
    private AppHarness app = null!;

    public async Task InitializeAsync() => app = await AppHarness.StartAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_stale_copy_neither_books_over_taken_GPUs_nor_keeps_a_lease_waiting_when_GPUs_are_free()
    {
        // Arrange: a copy while the region's H100 nodes are empty; then they fill up, and a lease is queued.
        var store = app.App.Services.GetRequiredService<IInventoryStore>();
        var empty = await store.ViewNodesAsync();
        Assert.All(Nodes(empty), n => Assert.Empty(n.Node.Allocations));
        using var tenantA = app.Client(AppHarness.TenantA);
        var fillers = new List<string>();
        foreach (var _ in Nodes(empty))
        {
            var id = await CreateAsync(tenantA, new { gpuModel = Model, gpuCount = 8, cpuCores = 8, memoryGiB = 32, durationHours = 2, region = Region });
            await tenantA.WaitForLeaseAsync(id, l => l.Status() == "Active");
            fillers.Add(id);
        }

        var lease = await QueueWithoutLifecycleAsync();

        // Act 1: book it on the copy from before the fill.
        var onEmptyCopy = await BookAsync(lease, empty);

        // Assert 1: nothing booked; no node holds more than its GPUs.
        Assert.Null(onEmptyCopy.Reservation);
        var afterFirst = Nodes(await store.ListNodesAsync());
        Assert.All(afterFirst, n => Assert.True(n.Node.Allocations.Values.Sum(a => a.TotalGpuMilli) <= n.Node.GpuCount * 1000L, $"{n.Node.NodeId} over-booked"));
        Assert.DoesNotContain(afterFirst, n => n.Node.Allocations.ContainsKey(lease.LeaseId));

        // Arrange 2: a copy while full; then one node frees.
        var full = await store.ViewNodesAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await tenantA.DeleteAsync($"/api/leases/{fillers[0]}")).StatusCode);
        await tenantA.WaitForLeaseAsync(fillers[0], l => l.Status() == "Released");

        // Act 2: book it on the copy that still shows every node full.
        var onFullCopy = await BookAsync(lease, full);

        // Assert 2: it is booked (on the freed node), and the lease says so.
        Assert.NotNull(onFullCopy.Reservation);
        var holder = Assert.Single(Nodes(await store.ListNodesAsync()), n => n.Node.Allocations.ContainsKey(lease.LeaseId));
        Assert.Equal(onFullCopy.Reservation!.NodeId, holder.Node.NodeId);
        var stored = await app.App.Services.GetRequiredService<ILeaseStore>().FindAsync(lease.LeaseId);
        Assert.Equal(LeaseStatus.Provisioning, stored!.Status);
    }

    private static List<NodeVersion> Nodes(IEnumerable<NodeVersion> all) =>
        [.. all.Where(n => n.Node.Region == Region && n.Node.Model == Model)];

    /// <summary>A queued lease whose lifecycle is not running: only this test books it.</summary>
    private async Task<LeaseRecord> QueueWithoutLifecycleAsync()
    {
        var request = new LeaseRequest(
            Model, GpuDemand.Whole(1), 1, 4, 1m, LeaseClass.OnDemand, LeasePool.Leasing, LeasePurpose.Inference, Region, null, null, PreemptionAction.End, null);
        var lease = new LeaseRecord(
            "lse_copytest" + Guid.NewGuid().ToString("N")[..12], "tenant-a", LeaseStatus.Queued, request, "test", null,
            DateTimeOffset.UtcNow, null, null, null, 1m, 0m, null);
        Assert.True(await app.App.Services.GetRequiredService<ILeaseStore>().TryCreateAsync(lease));
        return lease;
    }

    private Task<ReserveCapacityResult> BookAsync(LeaseRecord lease, IReadOnlyList<NodeVersion> copy) =>
        ActivatorUtilities.CreateInstance<ReserveCapacityActivity>(
                app.App.Services, new StaleCopy(app.App.Services.GetRequiredService<IInventoryStore>(), copy))
            .ExecuteAsync(new ReserveCapacityInput(lease.LeaseId, lease.Request, lease.TenantId), CancellationToken.None);

    private static async Task<string> CreateAsync(HttpClient client, object body)
    {
        var created = await client.PostAsJsonAsync("/api/leases", body);
        Assert.True(created.StatusCode == HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync());
        return (await created.JsonAsync()).GetProperty("leaseId").GetString()!;
    }

    /// <summary>The real store, except that this process's copy is the one given.</summary>
    private sealed class StaleCopy(IInventoryStore inner, IReadOnlyList<NodeVersion> copy) : IInventoryStore
    {
        public Task<IReadOnlyList<NodeVersion>> ViewNodesAsync(CancellationToken cancellationToken = default) => Task.FromResult(copy);

        public Task<IReadOnlyList<RegionSnapshot>> SnapshotAsync(CancellationToken cancellationToken = default) => inner.SnapshotAsync(cancellationToken);

        public Task EnsureNodeAsync(NodeState node, CancellationToken cancellationToken = default) => inner.EnsureNodeAsync(node, cancellationToken);

        public Task<bool> TryReplaceAsync(NodeVersion expected, NodeState updated, CancellationToken cancellationToken = default) =>
            inner.TryReplaceAsync(expected, updated, cancellationToken);

        public Task<NodeVersion?> GetNodeAsync(string region, string nodeId, CancellationToken cancellationToken = default) =>
            inner.GetNodeAsync(region, nodeId, cancellationToken);

        public Task<IReadOnlyList<NodeVersion>> ListNodesAsync(CancellationToken cancellationToken = default) => inner.ListNodesAsync(cancellationToken);

        public Task<bool> TrySetCordonedAsync(NodeVersion expected, bool cordoned, CancellationToken cancellationToken = default) =>
            inner.TrySetCordonedAsync(expected, cordoned, cancellationToken);

        public Task<bool> TryRemoveAsync(NodeVersion expected, CancellationToken cancellationToken = default) => inner.TryRemoveAsync(expected, cancellationToken);
    }
}
