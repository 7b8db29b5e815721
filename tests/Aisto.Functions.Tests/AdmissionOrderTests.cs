using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aisto.Orchestrations.Leases;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>
/// The runtime admits queued leases in the admission walk's order (class, fair share, age, backfill), not in the
/// order they happen to retry, and GET shows that order. Each test uses its own region and model of one app.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class AdmissionOrderTests : IAsyncLifetime
{
    private AppHarness app = null!;

    public async Task InitializeAsync() => app = await AppHarness.StartAsync(new Dictionary<string, string?>
    {
        // Long enough that only freed capacity (a wake-up), not a retry, can explain who books first.
        ["Aisto:Leases:QueueRetryInterval"] = "00:00:20",
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_reserved_lease_that_asked_later_takes_freed_GPUs_before_an_older_on_demand_lease()
    {
        // Arrange: tenant-b fills us-east's two 8-GPU L40S nodes; tenant-a (holding nothing) queues on-demand first,
        // then tenant-b queues a reserved lease. Fair share and age would both pick tenant-a's lease.
        using var tenantA = app.Client(AppHarness.TenantA);
        using var tenantB = app.Client(AppHarness.TenantB);
        var fillers = await FillAsync(tenantB, "us-east", "L40S", 2);
        var onDemand = await CreateAsync(tenantA, Body("us-east", "L40S", 8));
        var reserved = await CreateAsync(tenantB, Body("us-east", "L40S", 8, leaseClass: "reserved"));

        // The queue shows the reserved lease first.
        Assert.Equal(1, await PositionAsync(tenantB, reserved));
        Assert.Equal(2, await PositionAsync(tenantA, onDemand));

        // Act: once both found no room on their first try, one node frees.
        await WaitUntilWaitingAsync(onDemand, reserved);
        await CancelAsync(tenantB, fillers[0]);

        // Assert: the reserved lease runs there; the on-demand lease stays queued, now first.
        var active = await tenantB.WaitForLeaseAsync(reserved, l => l.Status() == "Active");
        Assert.Equal("us-east", active.GetProperty("placement").GetProperty("region").GetString());
        Assert.Equal("Queued", (await tenantA.GetLeaseAsync(onDemand)).Status());
        Assert.Equal(1, await PositionAsync(tenantA, onDemand));
    }

    [Fact]
    public async Task Freed_GPUs_go_to_the_tenant_holding_fewer_GPUs_before_an_older_lease_of_a_tenant_holding_more()
    {
        // Arrange: tenant-a holds both of singapore's 8-GPU L40S nodes and queues another lease; then tenant-b,
        // holding nothing, queues one.
        using var tenantA = app.Client(AppHarness.TenantA);
        using var tenantB = app.Client(AppHarness.TenantB);
        var fillers = await FillAsync(tenantA, "singapore", "L40S", 2);
        var older = await CreateAsync(tenantA, Body("singapore", "L40S", 8));
        var fair = await CreateAsync(tenantB, Body("singapore", "L40S", 8));
        Assert.Equal(1, await PositionAsync(tenantB, fair));
        Assert.Equal(2, await PositionAsync(tenantA, older));

        // Act: once both found no room on their first try, one of tenant-a's nodes frees.
        await WaitUntilWaitingAsync(older, fair);
        await CancelAsync(tenantA, fillers[0]);

        // Assert: tenant-b's lease runs; tenant-a's older one waits.
        await tenantB.WaitForLeaseAsync(fair, l => l.Status() == "Active");
        Assert.Equal("Queued", (await tenantA.GetLeaseAsync(older)).Status());
    }

    [Fact]
    public async Task Short_work_backfills_the_GPUs_a_blocked_large_lease_waits_for_long_work_does_not_and_the_large_lease_then_runs()
    {
        // Arrange: us-east's two 8-GPU RTX4090 nodes: 4 GPUs of one held for 1 h, the whole other for 2 h.
        using var tenantA = app.Client(AppHarness.TenantA);
        using var tenantB = app.Client(AppHarness.TenantB);
        var soon = await CreateAsync(tenantB, Body("us-east", "RTX4090", 4, hours: 1));
        await tenantB.WaitForLeaseAsync(soon, l => l.Status() == "Active");
        var later = await CreateAsync(tenantB, Body("us-east", "RTX4090", 8, hours: 2));
        await tenantB.WaitForLeaseAsync(later, l => l.Status() == "Active");

        // Act: an 8-GPU lease queues (the half-free node is reserved for it from +1 h); then two 2-GPU leases.
        var big = await CreateAsync(tenantA, Body("us-east", "RTX4090", 8, hours: 1));
        var shortOne = await CreateAsync(tenantB, Body("us-east", "RTX4090", 2, hours: 0.5m));
        var longOne = await CreateAsync(tenantB, Body("us-east", "RTX4090", 2, hours: 3));

        // Assert: the short one ends before the reservation and runs at once on the free GPUs ...
        var backfilled = await tenantB.WaitForLeaseAsync(shortOne, l => l.Status() == "Active");
        var soonNode = (await tenantB.GetLeaseAsync(soon)).GetProperty("placement").GetProperty("nodes")[0].GetString();
        Assert.Equal(soonNode, backfilled.GetProperty("placement").GetProperty("nodes")[0].GetString());

        // ... the long one would delay the large lease, so it waits behind it although 2 GPUs are still free ...
        await WaitUntilWaitingAsync(big, longOne);
        Assert.Equal("Queued", (await tenantB.GetLeaseAsync(longOne)).Status());
        Assert.Equal(1, await PositionAsync(tenantA, big));
        Assert.Equal(2, await PositionAsync(tenantB, longOne));

        // ... and when the node's work ends, the large lease gets it, not the long one that waited beside it.
        await CancelAsync(tenantB, soon);
        await CancelAsync(tenantB, shortOne);
        var ran = await tenantA.WaitForLeaseAsync(big, l => l.Status() == "Active");
        Assert.Equal(soonNode, ran.GetProperty("placement").GetProperty("nodes")[0].GetString());
        Assert.Equal("Queued", (await tenantB.GetLeaseAsync(longOne)).Status());
    }

    [Fact]
    public async Task A_booking_delivered_again_after_the_lease_was_cancelled_is_given_back_and_changes_nothing()
    {
        // Arrange: a lease ran and was cancelled (Released), its booking given back.
        using var tenantA = app.Client(AppHarness.TenantA);
        var leaseId = await CreateAsync(tenantA, Body("malaysia", "RTX4090", 1));
        await tenantA.WaitForLeaseAsync(leaseId, l => l.Status() == "Active");
        await CancelAsync(tenantA, leaseId);
        await tenantA.WaitForLeaseAsync(leaseId, l => l.Status() == "Released");
        var lease = (await app.App.Services.GetRequiredService<ILeaseStore>().FindAsync(leaseId))!;

        // Act: its booking activity runs again, as a message redelivered after a crash would run it.
        var late = await ActivatorUtilities.CreateInstance<ReserveCapacityActivity>(app.App.Services)
            .ExecuteAsync(new ReserveCapacityInput(leaseId, lease.Request, lease.TenantId), CancellationToken.None);

        // Assert: nothing is booked for it anywhere, and the lease is still Released.
        Assert.Null(late.Reservation);
        var nodes = await app.App.Services.GetRequiredService<Aisto.Orchestrations.Regions.IInventoryStore>().ListNodesAsync();
        Assert.DoesNotContain(nodes, n => n.Node.Allocations.ContainsKey(leaseId));
        Assert.Equal("Released", (await tenantA.GetLeaseAsync(leaseId)).Status());
    }

    private static object Body(string region, string model, int gpus, decimal hours = 1, string leaseClass = "onDemand") => new
    {
        gpuModel = model,
        gpuCount = gpus,
        cpuCores = gpus,
        memoryGiB = 4 * gpus,
        durationHours = hours,
        region,
        @class = leaseClass,
    };

    /// <summary>Fills <paramref name="nodes"/> whole nodes of the model with 8-GPU leases and waits until they run.</summary>
    private static async Task<List<string>> FillAsync(HttpClient client, string region, string model, int nodes)
    {
        var ids = new List<string>();
        for (var i = 0; i < nodes; i++)
        {
            var id = await CreateAsync(client, Body(region, model, 8, hours: 2));
            await client.WaitForLeaseAsync(id, l => l.Status() == "Active");
            ids.Add(id);
        }

        return ids;
    }

    /// <summary>Waits until each lease's first booking attempt has found no room (its queue row is marked waiting).</summary>
    private async Task WaitUntilWaitingAsync(params string[] leaseIds)
    {
        var store = app.App.Services.GetRequiredService<ILeaseStore>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var waiting = (await store.ListQueuedAsync(1000)).Where(q => q.Waiting).Select(q => q.LeaseId).ToHashSet();
            if (leaseIds.All(waiting.Contains))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Not all of {string.Join(", ", leaseIds)} were marked waiting.");
    }

    private static async Task<int?> PositionAsync(HttpClient client, string leaseId)
    {
        var lease = await client.GetLeaseAsync(leaseId);
        return lease.GetProperty("queue") is { ValueKind: JsonValueKind.Object } queue && queue.GetProperty("position") is { ValueKind: JsonValueKind.Number } p
            ? p.GetInt32()
            : null;
    }

    private static async Task CancelAsync(HttpClient client, string leaseId) =>
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/api/leases/{leaseId}")).StatusCode);

    private static async Task<string> CreateAsync(HttpClient client, object body)
    {
        var created = await client.PostAsJsonAsync("/api/leases", body);
        Assert.True(created.StatusCode == HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync());
        return (await created.JsonAsync()).GetProperty("leaseId").GetString()!;
    }
}
