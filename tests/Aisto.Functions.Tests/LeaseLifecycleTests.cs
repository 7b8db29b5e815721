using System.Net;
using System.Net.Http.Json;
using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Ledger;
using Aisto.Orchestrations.Regions;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>The lease lifecycle end to end on the standalone runtime with Azurite and the Azure Storage durable backend.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class LeaseLifecycleTests : IAsyncLifetime
{
    private AppHarness app = null!;

    public async Task InitializeAsync() => app = await AppHarness.StartAsync(new Dictionary<string, string?>
    {
        ["Aisto:Leases:MaxQueueTime"] = "00:00:04",
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_lease_becomes_active_is_extended_and_is_released_when_cancelled()
    {
        using var client = app.Client();

        var created = await client.PostAsJsonAsync("/api/leases", new
        {
            gpuModel = "H100",
            gpuCount = 2,
            cpuCores = 16,
            memoryGiB = 128,
            durationHours = 6,
            @class = "onDemand",
            clientLocation = new { lat = 1.35, lon = 103.82 },
            workload = new { image = "ghcr.io/org/train:1.2", command = new[] { "python", "train.py" }, env = new Dictionary<string, string> { ["EPOCHS"] = "3" } },
        });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var lease = await created.JsonAsync();
        var leaseId = lease.GetProperty("leaseId").GetString()!;
        Assert.Equal($"/api/leases/{leaseId}", created.Headers.Location?.ToString());
        Assert.Equal("Queued", lease.Status());
        Assert.Equal("6.578000", lease.GetProperty("pricePerHour").GetString()); // 2 × H100 2.99 × Singapore 1.1

        var active = await client.WaitForLeaseAsync(leaseId, l => l.Status() == "Active");
        Assert.Equal("singapore", active.GetProperty("placement").GetProperty("region").GetString());
        Assert.Equal("3", active.GetProperty("request").GetProperty("workload").GetProperty("env").GetProperty("EPOCHS").GetString());
        var expiresAt = active.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(6), expiresAt - active.GetProperty("activeAt").GetDateTimeOffset());

        var extended = await client.PostAsJsonAsync($"/api/leases/{leaseId}/extend", new { additionalHours = 2 });
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        Assert.Equal(expiresAt.AddHours(2), (await extended.JsonAsync()).GetProperty("expiresAt").GetDateTimeOffset());

        // The booking records the tenant (fair share) and moves to the new end (wait estimates and backfill read it).
        var booking = await WaitForBookingAsync(leaseId, t => t.ExpectedEnd == expiresAt.AddHours(2));
        Assert.Equal("tenant-a", booking.TenantId);

        var cancelled = await client.DeleteAsync($"/api/leases/{leaseId}");
        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        var released = await client.WaitForLeaseAsync(leaseId, l => l.Status() == "Released");
        Assert.NotEqual(JsonValueKindNull, released.GetProperty("endedAt").ValueKind);

        // Billing stopped at the release: the ledger holds exactly the charge the lease shows, and the GPUs are free.
        var charged = decimal.Parse(released.GetProperty("chargedSoFar").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var ledger = app.App.Services.GetRequiredService<ILedgerStore>();
        var epochs = app.App.Services.GetRequiredService<Aisto.Domain.Ledger.EpochCalendar>();
        var billed = await ledger.SumByReferenceAsync(leaseId, [epochs.EpochOf(active.GetProperty("activeAt").GetDateTimeOffset()), epochs.EpochOf(DateTimeOffset.UtcNow)]);
        Assert.Equal(charged, billed);
        var seconds = Math.Floor((released.GetProperty("endedAt").GetDateTimeOffset() - active.GetProperty("activeAt").GetDateTimeOffset()).TotalSeconds);
        Assert.Equal(Math.Round(6.578m * (decimal)seconds / 3600m, 6, MidpointRounding.AwayFromZero), charged);
        await AssertHoldsNothingAsync(leaseId);
    }

    [Fact]
    public async Task A_lease_ends_expired_at_its_expiry_and_is_billed_to_that_second()
    {
        // Durations below the API minimum are only reachable through the command itself: 0.001 h = 4 whole seconds.
        var commands = app.App.Services.GetRequiredService<LeaseCommands>();
        var durable = app.App.Services.GetRequiredService<DurableTaskClient>();
        var request = new LeaseRequest("L40S", GpuDemand.Whole(1), 4, 16, 0.001m, LeaseClass.OnDemand, LeasePool.Leasing,
            LeasePurpose.Inference, "malaysia", null, null, PreemptionAction.End, null);
        var created = await commands.CreateAsync(durable, "tenant-a", request, null, CancellationToken.None);
        using var client = app.Client();

        var expired = await client.WaitForLeaseAsync(created.Value!.LeaseId, l => l.Status() == "Expired");

        var activeAt = expired.GetProperty("activeAt").GetDateTimeOffset();
        Assert.Equal(activeAt.AddSeconds(4), expired.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(expired.GetProperty("expiresAt").GetDateTimeOffset(), expired.GetProperty("endedAt").GetDateTimeOffset());
        Assert.Equal("0.000990", expired.GetProperty("chargedSoFar").GetString()); // L40S 0.99 × Malaysia 0.9 = 0.891/h × 4 s
        await AssertHoldsNothingAsync(created.Value.LeaseId);
    }

    [Fact]
    public async Task A_lease_no_node_can_hold_fails_with_NoCapacity_after_the_maximum_queue_time()
    {
        using var client = app.Client();

        var created = await client.PostAsJsonAsync("/api/leases", new { gpuModel = "A100", gpuCount = 1, cpuCores = 200, durationHours = 1 });
        var leaseId = (await created.JsonAsync()).GetProperty("leaseId").GetString()!;

        var failed = await client.WaitForLeaseAsync(leaseId, l => l.Status() == "Failed");
        Assert.Equal("NoCapacity", failed.GetProperty("failureReason").GetString());
        Assert.Equal("0.000000", failed.GetProperty("chargedSoFar").GetString());
    }

    [Fact]
    public async Task A_failed_provisioning_fails_the_lease_and_gives_its_GPUs_back()
    {
        using var client = app.Client();

        var created = await client.PostAsJsonAsync("/api/leases", new
        {
            gpuModel = "RTX4090",
            gpuCount = 4,
            durationHours = 1,
            region = "malaysia",
            workload = new { image = "ghcr.io/org/broken:1", env = new Dictionary<string, string> { ["AISTO_SIMULATE"] = "fail-provision" } },
        });
        var leaseId = (await created.JsonAsync()).GetProperty("leaseId").GetString()!;

        var failed = await client.WaitForLeaseAsync(leaseId, l => l.Status() == "Failed");
        Assert.StartsWith("ProvisioningFailed", failed.GetProperty("failureReason").GetString());
        Assert.Equal("malaysia", failed.GetProperty("placement").GetProperty("region").GetString());
        await AssertHoldsNothingAsync(leaseId);
    }

    [Fact]
    public async Task A_queued_lease_can_be_cancelled_before_it_runs()
    {
        using var client = app.Client();
        var created = await client.PostAsJsonAsync("/api/leases", new { gpuModel = "A100", gpuCount = 1, cpuCores = 200, durationHours = 1 });
        var leaseId = (await created.JsonAsync()).GetProperty("leaseId").GetString()!;

        await client.DeleteAsync($"/api/leases/{leaseId}");

        var cancelled = await client.WaitForLeaseAsync(leaseId, l => l.Status() == "Cancelled");
        Assert.Null(cancelled.GetProperty("failureReason").GetString());
        Assert.Equal(JsonValueKindNull, cancelled.GetProperty("activeAt").ValueKind);
    }

    [Fact]
    public async Task Leases_cancelled_the_moment_they_were_created_all_end_cancelled()
    {
        // A cancel raised while the lifecycle is still Pending could be dropped by the Azure Storage backend
        // (durabletask#720): the lease then waited out its queue time and failed NoCapacity (CI, 2026-11-26).
        using var client = app.Client();
        var ids = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            var created = await client.PostAsJsonAsync("/api/leases", new { gpuModel = "A100", gpuCount = 1, cpuCores = 200, durationHours = 1 });
            var leaseId = (await created.JsonAsync()).GetProperty("leaseId").GetString()!;
            Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/api/leases/{leaseId}")).StatusCode);
            return leaseId;
        }));

        foreach (var leaseId in ids)
        {
            var ended = await client.WaitForLeaseAsync(leaseId, l => l.Status() is "Cancelled" or "Failed");
            Assert.Equal("Cancelled", ended.Status());
        }
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    private async Task<BookingTerms> WaitForBookingAsync(string leaseId, Func<BookingTerms, bool> until)
    {
        var inventory = app.App.Services.GetRequiredService<IInventoryStore>();
        BookingTerms? terms = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            terms = (await inventory.ListNodesAsync()).Select(n => n.Node.Allocations.GetValueOrDefault(leaseId)?.Terms).FirstOrDefault(t => t is not null);
            if (terms is not null && until(terms))
            {
                return terms;
            }
        }

        throw new TimeoutException($"The booking of {leaseId} did not reach the expected terms; last seen: {terms}");
    }

    private async Task AssertHoldsNothingAsync(string leaseId)
    {
        var nodes = await app.App.Services.GetRequiredService<IInventoryStore>().ListNodesAsync();
        Assert.DoesNotContain(nodes, n => n.Node.Allocations.ContainsKey(leaseId));
    }
}

/// <summary>Tests that run a whole app share the machine's two cores one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class StandaloneCollection : ICollectionFixture<TestChain>
{
    public const string Name = "standalone runtime";
}
