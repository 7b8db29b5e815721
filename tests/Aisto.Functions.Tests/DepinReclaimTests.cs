using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aisto.Domain.Ledger;
using Aisto.Domain.Pricing;
using Aisto.Infrastructure.Queues;
using Aisto.Orchestrations.Ledger;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>
/// Reclaim between the leasing and the DePIN pool on the standalone runtime, in both directions, on a fleet of one
/// 8-GPU RTX4090 node (us-east; every other node pool configured empty) with the default 50 / 45 / 5 % pools:
/// leasing is guaranteed 4 GPUs, DePIN 3.6. The DePIN pool may hold the whole model (<c>PoolPercent</c> 100), so an
/// 8-GPU task borrows; notices are 2 s.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class DepinReclaimTests : IAsyncLifetime
{
    private const string Rate = "3600000000000000000"; // 10^15 base units per GPU-second
    private AppHarness app = null!;
    private QueueClient intake = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Aisto:Depin:PoolPercent"] = "100",
            ["Aisto:Depin:QueueRetryInterval"] = "00:00:01",
            ["Aisto:Depin:ReadyPollInterval"] = "00:00:00.100",
            ["Aisto:Standalone:Queues:MaxPollingInterval"] = "00:00:00.100",
            ["Aisto:Leases:PreemptionNotice"] = "00:00:02",
            ["Aisto:Leases:ReadyPollInterval"] = "00:00:00.100",
            ["Aisto:Regions:ProvisioningDelay"] = "00:00:00.100",
        };
        for (var region = 0; region < 3; region++)
        {
            for (var pool = 0; pool < 4; pool++)
            {
                // aisto.json lists H100, A100, L40S, RTX4090 in every region: keep us-east's RTX4090 pool, one node.
                settings[$"Aisto:Regions:Items:{region}:NodePools:{pool}:Nodes"] = region == 0 && pool == 3 ? "1" : "0";
            }
        }

        app = await AppHarness.StartAsync(settings);
        intake = app.App.Services.GetRequiredService<StorageQueues>().Get(app.Prefix + "-depin");
        await intake.CreateIfNotExistsAsync();
        using var op = app.Client(AppHarness.Operator);
        var project = await op.PostAsJsonAsync("/api/depin/projects", new { projectId = "farm", name = "farm", priority = 5, rewardPerGpuHour = Rate, maxGpus = 8 });
        Assert.Equal(HttpStatusCode.Created, project.StatusCode);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_lease_takes_back_the_GPUs_a_DePIN_task_borrowed_and_the_task_runs_the_rest_later_paid_only_for_the_seconds_it_ran()
    {
        // Arrange: an 8-GPU task of 6 s runs on the only node, far beyond DePIN's 3.6-GPU guarantee.
        await SendTaskAsync("t1", gpuCount: 8, seconds: 6);
        var running = await WaitForTaskAsync("t1", t => t.Status() == "Running");
        var node = running.GetProperty("placement").GetProperty("node").GetString();

        // Act: leasing, owed its 4 GPUs, asks for them.
        using var tenant = app.Client(AppHarness.TenantB);
        var lease = await CreateLeaseAsync(tenant, "onDemand", gpuCount: 4);

        // Assert: the task stops after the notice, goes back to its queue with what it delivered so far, and the
        // lease runs on the GPUs it gave back.
        var active = await tenant.WaitForLeaseAsync(lease, l => l.Status() == "Active");
        Assert.Equal(node, active.GetProperty("placement").GetProperty("nodes")[0].GetString());
        var requeued = await WaitForTaskAsync("t1", t => t.GetProperty("failureReason").GetString() == "Preempted");
        Assert.Equal("Queued", requeued.Status());
        var firstRunGpuSeconds = decimal.Parse(requeued.GetProperty("gpuSeconds").GetString()!, CultureInfo.InvariantCulture);

        // The task cannot take the GPUs back (DePIN is not owed 8 GPUs): it runs again when the lease ends.
        Assert.Equal(HttpStatusCode.Accepted, (await tenant.DeleteAsync($"/api/leases/{lease}")).StatusCode);
        var released = await tenant.WaitForLeaseAsync(lease, l => l.Status() == "Released");
        var completed = await WaitForTaskAsync("t1", t => t.Status() == "Completed");

        // 6 s of 8 GPUs in all, in runs that never overlap the lease, each paid once for the whole seconds it ran (a
        // run cut within its first second is paid nothing and has no ledger line).
        Assert.Equal("48.000", completed.GetProperty("gpuSeconds").GetString());
        Assert.Equal("48000000000000000", completed.GetProperty("reward").GetString());
        var runs = (await RewardLinesAsync("t1")).OrderBy(r => r.PeriodStart).ToList();
        Assert.Equal(firstRunGpuSeconds > 0 ? 2 : 1, runs.Count);
        Assert.Equal(6, runs.Sum(r => (r.PeriodEnd - r.PeriodStart).TotalSeconds));
        Assert.Equal(48m - firstRunGpuSeconds, 8 * (decimal)(runs[^1].PeriodEnd - runs[^1].PeriodStart).TotalSeconds);
        Assert.All(runs, r => Assert.Equal(
            (8 * (long)(r.PeriodEnd - r.PeriodStart).TotalSeconds * 1_000_000_000_000_000L).ToString(CultureInfo.InvariantCulture), r.TokenAmount));
        Assert.True(runs[0].PeriodEnd <= active.GetProperty("activeAt").GetDateTimeOffset() || runs.Count == 1, "the first run ended before the lease started");
        Assert.True(runs[^1].PeriodStart >= released.GetProperty("endedAt").GetDateTimeOffset(), "the last run started after the lease ended");
    }

    [Fact]
    public async Task A_DePIN_task_takes_back_its_pools_GPUs_from_a_borrowing_spot_lease_which_ends_preempted_billed_to_the_second_it_stopped()
    {
        // Arrange: a spot lease takes the whole node, beyond leasing's 4-GPU guarantee.
        using var tenant = app.Client(AppHarness.TenantA);
        var spot = await CreateLeaseAsync(tenant, "spot", gpuCount: 8);
        var spotActive = await tenant.WaitForLeaseAsync(spot, l => l.Status() == "Active");

        // Act: a 3-GPU DePIN task arrives; DePIN is owed up to 3.6 GPUs.
        await SendTaskAsync("t2", gpuCount: 3, seconds: 2);

        // Assert: the lease is told when it ends, then ends Preempted at that instant, billed to that second ...
        var noticed = await tenant.WaitForLeaseAsync(spot, l => l.TryGetProperty("preemptAt", out var p) && p.ValueKind == JsonValueKind.String);
        var preemptAt = noticed.GetProperty("preemptAt").GetDateTimeOffset();
        var preempted = await tenant.WaitForLeaseAsync(spot, l => l.Status() == "Preempted");
        Assert.Equal(preemptAt, preempted.GetProperty("endedAt").GetDateTimeOffset());
        var price = decimal.Parse(preempted.GetProperty("pricePerHour").GetString()!, CultureInfo.InvariantCulture);
        var activeAt = spotActive.GetProperty("activeAt").GetDateTimeOffset();
        Assert.Equal(Metering.Charge(price, activeAt, preemptAt).ToString("F6", CultureInfo.InvariantCulture), preempted.GetProperty("chargedSoFar").GetString());

        // ... and the task runs on the GPUs it gave back, after it stopped, and completes.
        var completed = await WaitForTaskAsync("t2", t => t.Status() == "Completed");
        Assert.Equal(spotActive.GetProperty("placement").GetProperty("nodes")[0].GetString(), completed.GetProperty("placement").GetProperty("node").GetString());
        Assert.Equal("6.000", completed.GetProperty("gpuSeconds").GetString());
        var run = Assert.Single(await RewardLinesAsync("t2"));
        Assert.True(run.PeriodStart >= preemptAt, "the task started after the lease stopped");
    }

    private async Task SendTaskAsync(string taskId, int gpuCount, int seconds) =>
        await intake.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            taskId,
            projectId = "farm",
            gpuModel = "RTX4090",
            gpuCount,
            durationMinutes = seconds / 60m,
            image = "ghcr.io/depin/worker:1",
            command = new[] { "work" },
        }))));

    private static async Task<string> CreateLeaseAsync(HttpClient tenant, string leaseClass, int gpuCount)
    {
        var created = await tenant.PostAsJsonAsync(
            "/api/leases", new { gpuModel = "RTX4090", gpuCount, cpuCores = gpuCount, memoryGiB = 4 * gpuCount, durationHours = 1, region = "us-east", @class = leaseClass });
        Assert.True(created.StatusCode == HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync());
        return (await created.JsonAsync()).GetProperty("leaseId").GetString()!;
    }

    private async Task<IReadOnlyList<LedgerEntry>> RewardLinesAsync(string taskId)
    {
        var ledger = app.App.Services.GetRequiredService<ILedgerStore>();
        var epoch = app.App.Services.GetRequiredService<EpochCalendar>().EpochOf(DateTimeOffset.UtcNow);
        return [.. (await ledger.ListAsync(epoch)).Where(e => e.Kind == LedgerEntryKind.DepinReward && e.Reference == taskId)];
    }

    private async Task<JsonElement> WaitForTaskAsync(string taskId, Func<JsonElement, bool> until)
    {
        using var client = app.Client();
        return await client.WaitForTaskAsync(taskId, until, describe: async () =>
        {
            var dispatch = await app.App.Services.GetRequiredService<Aisto.Orchestrations.Depin.IDepinStore>().GetDispatchAsync(taskId);
            var nodes = await app.App.Services.GetRequiredService<Aisto.Orchestrations.Regions.IInventoryStore>().ListNodesAsync();
            return $"dispatch {dispatch}; bookings {string.Join(", ", nodes.SelectMany(n => n.Node.Allocations.Values.Select(a => $"{n.Node.NodeId}:{a.HolderId}:{a.Terms}")))}";
        });
    }
}
