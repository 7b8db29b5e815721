using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Aisto.Domain.Pricing;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>Pools on the standalone runtime: the leasing pool takes back GPUs that spot work of another pool borrowed.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class PreemptionTests : IAsyncLifetime
{
    private AppHarness app = null!;

    public async Task InitializeAsync() => app = await AppHarness.StartAsync(new Dictionary<string, string?>
    {
        ["Aisto:Leases:PreemptionNotice"] = "00:00:03",
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>Incubation leases draw on a grant: give tenant-a enough GPU-hours for every test here.</summary>
    private async Task GrantTenantAAsync()
    {
        using var operatorClient = app.Client(AppHarness.Operator);
        var granted = await operatorClient.PostAsJsonAsync(
            "/api/incubation/grants", new { tenantId = "tenant-a", gpuHours = 200, expiresAt = DateTimeOffset.UtcNow.AddDays(30) });
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
    }

    [Fact]
    public async Task A_borrowing_spot_lease_gets_its_notice_ends_preempted_billed_to_that_second_and_its_GPUs_go_to_the_leasing_pool()
    {
        // Arrange: us-east has two 8-GPU RTX4090 nodes. An incubation spot lease fills one (far beyond incubation's
        // 5 % guarantee, so it is borrowed); an on-demand leasing lease fills the other.
        await GrantTenantAAsync();
        using var tenantA = app.Client(AppHarness.TenantA);
        using var tenantB = app.Client(AppHarness.TenantB);
        var spot = await CreateAsync(tenantA, new { gpuModel = "RTX4090", gpuCount = 8, cpuCores = 8, memoryGiB = 32, durationHours = 4, region = "us-east", @class = "spot", pool = "incubation" });
        var spotActive = await tenantA.WaitForLeaseAsync(spot, l => l.Status() == "Active");
        var first = await CreateAsync(tenantB, new { gpuModel = "RTX4090", gpuCount = 8, cpuCores = 8, memoryGiB = 32, durationHours = 4, region = "us-east" });
        await tenantB.WaitForLeaseAsync(first, l => l.Status() == "Active");

        // Act: the leasing pool, far below its guarantee, asks for 4 more GPUs that only the spot lease's node can give.
        var owed = await CreateAsync(tenantB, new { gpuModel = "RTX4090", gpuCount = 4, cpuCores = 4, memoryGiB = 16, durationHours = 1, region = "us-east" });

        // Assert: the spot lease is told when it ends (3 s notice) and keeps running until then ...
        var noticed = await tenantA.WaitForLeaseAsync(spot, l => l.TryGetProperty("preemptAt", out var p) && p.ValueKind == System.Text.Json.JsonValueKind.String);
        Assert.Equal("Active", noticed.Status());
        var preemptAt = noticed.GetProperty("preemptAt").GetDateTimeOffset();
        Assert.Equal(preemptAt, noticed.GetProperty("expiresAt").GetDateTimeOffset());
        var extend = await tenantA.PostAsJsonAsync($"/api/leases/{spot}/extend", new { additionalHours = 1 });
        Assert.Equal(HttpStatusCode.Conflict, extend.StatusCode);

        // ... then ends Preempted at that instant, billed to that second ...
        var preempted = await tenantA.WaitForLeaseAsync(spot, l => l.Status() == "Preempted");
        var activeAt = spotActive.GetProperty("activeAt").GetDateTimeOffset();
        Assert.Equal(preemptAt, preempted.GetProperty("endedAt").GetDateTimeOffset());
        var price = decimal.Parse(preempted.GetProperty("pricePerHour").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(Metering.Charge(price, activeAt, preemptAt).ToString("F6", CultureInfo.InvariantCulture), preempted.GetProperty("chargedSoFar").GetString());

        // (an incubation lease is not charged: its grant keeps exactly the GPU-hours it used up to that instant) ...
        // (the grant holds the whole draw while the lease runs and settles right after it ends)
        var used = 32m;
        for (var poll = 0; poll < 100 && used == 32m; poll++)
        {
            var grants = await (await tenantA.GetAsync("/api/incubation/grants")).JsonAsync();
            used = decimal.Parse(grants.GetProperty("items")[0].GetProperty("usedGpuHours").GetString()!, CultureInfo.InvariantCulture);
            await Task.Delay(100);
        }

        Assert.Equal(Math.Round(8m * (decimal)(preemptAt - activeAt).TotalSeconds / 3600m, 6, MidpointRounding.AwayFromZero), used);

        // ... and the owed lease runs on the GPUs it gave back, while the other leasing lease was never touched.
        var owedActive = await tenantB.WaitForLeaseAsync(owed, l => l.Status() == "Active");
        Assert.Equal(
            spotActive.GetProperty("placement").GetProperty("nodes")[0].GetString(),
            owedActive.GetProperty("placement").GetProperty("nodes")[0].GetString());
        Assert.Equal("Active", (await tenantB.GetLeaseAsync(first)).Status());
        var inventory = app.App.Services.GetRequiredService<IInventoryStore>();
        var nodes = await inventory.ListNodesAsync();
        Assert.DoesNotContain(nodes, n => n.Node.Allocations.ContainsKey(spot));
    }

    [Fact]
    public async Task A_preempted_lease_that_asked_to_be_requeued_waits_again_keeps_its_charge_and_runs_the_rest_of_its_time_later()
    {
        // Arrange: malaysia's four RTX4090 nodes are full: a requeue-on-preemption incubation spot lease on one,
        // leasing work on the other three.
        await GrantTenantAAsync();
        using var tenantA = app.Client(AppHarness.TenantA);
        using var tenantB = app.Client(AppHarness.TenantB);
        var spot = await CreateAsync(tenantA, new { gpuModel = "RTX4090", gpuCount = 8, cpuCores = 8, memoryGiB = 32, durationHours = 2, region = "malaysia", @class = "spot", pool = "incubation", onPreemption = "requeue" });
        var spotActive = await tenantA.WaitForLeaseAsync(spot, l => l.Status() == "Active");
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var filler = await CreateAsync(tenantB, new { gpuModel = "RTX4090", gpuCount = 8, cpuCores = 8, memoryGiB = 32, durationHours = 4, region = "malaysia" });
            await tenantB.WaitForLeaseAsync(filler, l => l.Status() == "Active");
        }

        // Act: the leasing pool reclaims; later the lease it reclaimed for is cancelled.
        var owed = await CreateAsync(tenantB, new { gpuModel = "RTX4090", gpuCount = 8, cpuCores = 8, memoryGiB = 32, durationHours = 1, region = "malaysia" });
        var noticed = await tenantA.WaitForLeaseAsync(spot, l => l.TryGetProperty("preemptAt", out var p) && p.ValueKind == System.Text.Json.JsonValueKind.String);
        var firstRunEnded = noticed.GetProperty("preemptAt").GetDateTimeOffset();
        var requeued = await tenantA.WaitForLeaseAsync(spot, l => l.Status() == "Queued");
        await tenantB.WaitForLeaseAsync(owed, l => l.Status() == "Active");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, requeued.GetProperty("placement").ValueKind);
        var billedFirstRun = decimal.Parse(requeued.GetProperty("chargedSoFar").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal("Queued", (await tenantA.GetLeaseAsync(spot)).Status());
        Assert.Equal(HttpStatusCode.Accepted, (await tenantB.DeleteAsync($"/api/leases/{owed}")).StatusCode);

        // Assert: it runs again for the rest of its two hours, with what it was charged so far kept.
        var again = await tenantA.WaitForLeaseAsync(spot, l => l.Status() == "Active");
        var firstRun = again.GetProperty("activeAt").GetDateTimeOffset() - spotActive.GetProperty("activeAt").GetDateTimeOffset();
        var left = again.GetProperty("expiresAt").GetDateTimeOffset() - again.GetProperty("activeAt").GetDateTimeOffset();
        Assert.InRange(left, TimeSpan.FromHours(2) - firstRun, TimeSpan.FromHours(2));
        Assert.Equal(billedFirstRun, decimal.Parse(again.GetProperty("chargedSoFar").GetString()!, CultureInfo.InvariantCulture));

        // And when it ends, its grant keeps the GPU-hours of both runs, not only the last (while it runs, the grants
        // hold its whole draw of 8 GPUs × 2 h).
        var heldWhileRunning = await UsedGpuHoursAsync(tenantA);
        Assert.Equal(HttpStatusCode.Accepted, (await tenantA.DeleteAsync($"/api/leases/{spot}")).StatusCode);
        var released = await tenantA.WaitForLeaseAsync(spot, l => l.Status() == "Released");
        var runs = new[]
        {
            (From: spotActive.GetProperty("activeAt").GetDateTimeOffset(), To: firstRunEnded),
            (From: again.GetProperty("activeAt").GetDateTimeOffset(), To: released.GetProperty("endedAt").GetDateTimeOffset()),
        };
        var expected = runs.Sum(r => Math.Round(8m * (decimal)(r.To - r.From).TotalSeconds / 3600m, 6, MidpointRounding.AwayFromZero));
        var settled = heldWhileRunning;
        for (var poll = 0; poll < 100 && settled == heldWhileRunning; poll++)
        {
            await Task.Delay(100);
            settled = await UsedGpuHoursAsync(tenantA);
        }

        Assert.Equal(heldWhileRunning - 16m + expected, settled);
    }

    /// <summary>Used GPU-hours over all of a tenant's grants (other tests here issue grants too).</summary>
    private static async Task<decimal> UsedGpuHoursAsync(HttpClient tenant)
    {
        var grants = await (await tenant.GetAsync("/api/incubation/grants")).JsonAsync();
        return grants.GetProperty("items").EnumerateArray()
            .Sum(g => decimal.Parse(g.GetProperty("usedGpuHours").GetString()!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Spot_work_waits_for_free_capacity_and_never_preempts_anyone()
    {
        await GrantTenantAAsync();
        using var tenantA = app.Client(AppHarness.TenantA);
        var borrowed = await CreateAsync(tenantA, new { gpuModel = "RTX4090", gpuCount = 8, cpuCores = 8, memoryGiB = 32, durationHours = 4, region = "singapore", @class = "spot", pool = "incubation" });
        var other = await CreateAsync(tenantA, new { gpuModel = "RTX4090", gpuCount = 8, cpuCores = 8, memoryGiB = 32, durationHours = 4, region = "singapore", @class = "spot", pool = "incubation" });
        await tenantA.WaitForLeaseAsync(borrowed, l => l.Status() == "Active");
        await tenantA.WaitForLeaseAsync(other, l => l.Status() == "Active");

        var spot = await CreateAsync(tenantA, new { gpuModel = "RTX4090", gpuCount = 4, cpuCores = 4, memoryGiB = 16, durationHours = 1, region = "singapore", @class = "spot" });
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal("Queued", (await tenantA.GetLeaseAsync(spot)).Status());
        Assert.False((await tenantA.GetLeaseAsync(borrowed)).TryGetProperty("preemptAt", out var p) && p.ValueKind == System.Text.Json.JsonValueKind.String);
        Assert.False((await tenantA.GetLeaseAsync(other)).TryGetProperty("preemptAt", out var q) && q.ValueKind == System.Text.Json.JsonValueKind.String);
    }

    private static async Task<string> CreateAsync(HttpClient client, object body)
    {
        var created = await client.PostAsJsonAsync("/api/leases", body);
        Assert.True(created.StatusCode == HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync());
        return (await created.JsonAsync()).GetProperty("leaseId").GetString()!;
    }
}
