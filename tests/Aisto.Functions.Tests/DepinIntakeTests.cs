using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aisto.Domain.Ledger;
using Aisto.Infrastructure.Queues;
using Aisto.Orchestrations.Ledger;
using Azure.Storage.Queues;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>
/// DePIN end to end on the standalone runtime: task messages on the Azurite queue (base64, as the Functions queue
/// trigger reads them) become tasks that run on the simulated DePIN pool or on pledged lease GPUs, complete and
/// accrue token rewards in the ledger; bad messages land in the poison queue with their reason; a duplicate runs once.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class DepinIntakeTests : IAsyncLifetime
{
    private const string Rate = "3600000000000000000"; // 3.6 tokens (18 decimals) per GPU-hour = 10^15 per GPU-second
    private AppHarness app = null!;
    private QueueClient intake = null!;
    private QueueClient poison = null!;

    public async Task InitializeAsync()
    {
        app = await AppHarness.StartAsync(
            new Dictionary<string, string?>
            {
                ["Aisto:Depin:QueueRetryInterval"] = "00:00:01",
                ["Aisto:Depin:ReadyPollInterval"] = "00:00:00.250",
                ["Aisto:Standalone:Queues:MaxPollingInterval"] = "00:00:00.250",
                ["Aisto:Standalone:Queues:MaxDequeueCount"] = "2",
            });
        var queues = app.App.Services.GetRequiredService<StorageQueues>();
        intake = queues.Get(app.Prefix + "-depin"); // each test app has its own queue (AppHarness)
        poison = queues.Get(app.Prefix + "-depin" + StorageQueues.PoisonSuffix);
        await intake.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Messages_on_the_queue_become_tasks_that_run_complete_and_accrue_rewards_to_the_platform_pool()
    {
        await CreateProjectAsync("render-farm", priority: 5);

        // 2 s of one GPU, 2 s of half a GPU, 4 s of two GPUs.
        await SendAsync(Task("task-a", "render-farm", gpuCount: 1, seconds: 2));
        await SendAsync(Task("task-b", "render-farm", gpuFraction: 0.5m, seconds: 2));
        await SendAsync(Task("task-c", "render-farm", gpuCount: 2, seconds: 4));

        var a = await WaitForTaskAsync("task-a", "Completed");
        var b = await WaitForTaskAsync("task-b", "Completed");
        var c = await WaitForTaskAsync("task-c", "Completed");
        Assert.Equal(("2.000", "2000000000000000"), (a.GetProperty("gpuSeconds").GetString(), a.GetProperty("reward").GetString()));
        Assert.Equal(("1.000", "1000000000000000"), (b.GetProperty("gpuSeconds").GetString(), b.GetProperty("reward").GetString()));
        Assert.Equal(("8.000", "8000000000000000"), (c.GetProperty("gpuSeconds").GetString(), c.GetProperty("reward").GetString()));
        Assert.Equal("platform", a.GetProperty("placement").GetProperty("contributor").GetString());

        // The ledger holds one reward line per task, to the platform, in token base units.
        var rewards = await RewardLinesAsync();
        Assert.Equal(
            [("task-a", "platform", "2000000000000000"), ("task-b", "platform", "1000000000000000"), ("task-c", "platform", "8000000000000000")],
            rewards.Select(e => (e.Reference, e.Account, e.TokenAmount!)).Order());

        // The operator sees the project's totals.
        var project = await ProjectAsync("render-farm");
        var stats = project.GetProperty("stats");
        Assert.Equal(3, stats.GetProperty("tasks").GetProperty("completed").GetInt32());
        Assert.Equal(0, stats.GetProperty("tasks").GetProperty("queued").GetInt32());
        Assert.Equal("11.000", stats.GetProperty("gpuSeconds").GetString());
        Assert.Equal("11000000000000000", stats.GetProperty("rewardsAccrued").GetString());
    }

    [Fact]
    public async Task Invalid_and_undecodable_messages_land_in_the_poison_queue_with_their_reason()
    {
        await CreateProjectAsync("science", priority: 3, maxGpus: 2);

        await SendAsync(Task("bad-fields", "science", gpuCount: 1, seconds: 1).Replace("\"gpuModel\":\"A100\"", "\"gpuModel\":7", StringComparison.Ordinal));
        await SendAsync(Task("no-project", "nobody", gpuCount: 1, seconds: 1));
        await SendAsync(Task("too-big", "science", gpuCount: 4, seconds: 1));
        await intake.SendMessageAsync("this is not base64 {");

        var poisoned = await WaitForPoisonAsync(4);
        var reasons = poisoned.Select(p => p.Reason).ToList();
        Assert.Contains(reasons, r => r.StartsWith("gpuModel:", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("projectId: no project 'nobody'", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("gpuCount: the project may use at most 2 GPUs", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("not base64", StringComparison.Ordinal));

        // A rejected message that names its task shows as Rejected with the same reason.
        var rejected = await WaitForTaskAsync("too-big", "Rejected");
        Assert.StartsWith("gpuCount:", rejected.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_delivered_twice_runs_once_even_after_the_first_run_completed()
    {
        await CreateProjectAsync("dup", priority: 1);
        var message = Task("twice", "dup", gpuCount: 1, seconds: 1);

        await SendAsync(message);
        await SendAsync(message);
        await WaitForTaskAsync("twice", "Completed");
        var durable = app.App.Services.GetRequiredService<DurableTaskClient>();
        var first = await durable.GetInstanceAsync("twice");

        // Delivered again after completion: nothing restarts.
        await SendAsync(message);
        await WaitForQueueDrainedAsync();
        var after = await durable.GetInstanceAsync("twice");

        Assert.Equal(first!.CreatedAt, after!.CreatedAt);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, after.RuntimeStatus);
        Assert.Single(await RewardLinesAsync(), e => e.Reference == "twice");
        var stats = (await ProjectAsync("dup")).GetProperty("stats").GetProperty("tasks");
        Assert.Equal((1, 0, 0), (stats.GetProperty("completed").GetInt32(), stats.GetProperty("running").GetInt32(), stats.GetProperty("queued").GetInt32()));
        Assert.Empty((await poison.PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task Tasks_run_on_GPUs_a_tenant_pledged_from_its_lease_and_its_payout_address_earns_the_reward()
    {
        using var tenant = app.Client();
        await CreateProjectAsync("pledged", priority: 10);
        var leaseId = await ActiveLeaseAsync(tenant);
        const string payout = "0x00000000000000000000000000000000000000A1";

        // Bad fields are named; another tenant's lease does not exist for it.
        var bad = await tenant.PostAsJsonAsync("/api/depin/pledges", new { leaseId, projectId = "pledged", gpuCount = 1, payoutAddress = "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("payoutAddress", out _));
        using var other = app.Client(AppHarness.TenantB);
        var foreign = await other.PostAsJsonAsync("/api/depin/pledges", new { leaseId, projectId = "pledged", gpuCount = 1, payoutAddress = payout });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        var tooMany = await tenant.PostAsJsonAsync("/api/depin/pledges", new { leaseId, projectId = "pledged", gpuCount = 3, payoutAddress = payout });
        Assert.True((await tooMany.JsonAsync()).GetProperty("errors").TryGetProperty("gpuCount", out _));

        var created = await tenant.PostAsJsonAsync("/api/depin/pledges", new { leaseId, projectId = "pledged", gpuCount = 1, payoutAddress = payout });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var pledgeId = (await created.JsonAsync()).GetProperty("pledgeId").GetString()!;

        await SendAsync(Task("on-pledge", "pledged", gpuCount: 1, seconds: 1, model: "L40S"));
        var task = await WaitForTaskAsync("on-pledge", "Completed");

        var placement = task.GetProperty("placement");
        Assert.Equal((pledgeId, payout.ToLowerInvariant()), (placement.GetProperty("pledgeId").GetString(), placement.GetProperty("contributor").GetString()));
        Assert.Contains(await RewardLinesAsync(), e => e.Reference == "on-pledge" && e.Account == payout.ToLowerInvariant() && e.TokenAmount == "1000000000000000");

        var ended = await tenant.DeleteAsync($"/api/depin/pledges/{pledgeId}");
        Assert.Equal("Ended", (await ended.JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/depin/pledges/{pledgeId}")).StatusCode);
    }

    [Fact]
    public async Task Project_routes_are_for_operators_and_name_bad_fields()
    {
        using var tenant = app.Client();
        using var op = app.Client(AppHarness.Operator);

        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync("/api/depin/projects")).StatusCode);
        var bad = await op.PostAsJsonAsync("/api/depin/projects", new { projectId = "x", name = "x", priority = 11, rewardPerGpuHour = "1.5", maxGpus = 1 });
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True(errors.TryGetProperty("priority", out _) && errors.TryGetProperty("rewardPerGpuHour", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.GetAsync("/api/depin/tasks/nothing-here")).StatusCode);
    }

    private async Task CreateProjectAsync(string projectId, int priority, int maxGpus = 8)
    {
        using var op = app.Client(AppHarness.Operator);
        var response = await op.PostAsJsonAsync("/api/depin/projects", new { projectId, name = projectId, priority, rewardPerGpuHour = Rate, maxGpus });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<JsonElement> ProjectAsync(string projectId)
    {
        using var op = app.Client(AppHarness.Operator);
        var list = await (await op.GetAsync("/api/depin/projects")).JsonAsync();
        return list.GetProperty("items").EnumerateArray().Single(p => p.GetProperty("projectId").GetString() == projectId);
    }

    private async Task<string> ActiveLeaseAsync(HttpClient tenant)
    {
        var created = await tenant.PostAsJsonAsync("/api/leases", new
        {
            gpuModel = "L40S",
            gpuCount = 2,
            cpuCores = 8,
            memoryGiB = 32,
            durationHours = 1,
            @class = "onDemand",
            region = "malaysia",
        });
        var leaseId = (await created.JsonAsync()).GetProperty("leaseId").GetString()!;
        await tenant.WaitForLeaseAsync(leaseId, l => l.Status() == "Active");
        return leaseId;
    }

    private Task SendAsync(string json) => intake.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));

    private static string Task(string taskId, string projectId, int? gpuCount = null, decimal? gpuFraction = null, int seconds = 1, string model = "A100") =>
        JsonSerializer.Serialize(new
        {
            taskId,
            projectId,
            gpuModel = model,
            gpuCount,
            gpuFraction,
            durationMinutes = seconds / 60m,
            image = "ghcr.io/depin/worker:1",
            command = new[] { "work" },
        });

    private async Task<JsonElement> WaitForTaskAsync(string taskId, string status)
    {
        using var client = app.Client();
        return await client.WaitForTaskAsync(taskId, t => t.GetProperty("status").GetString() == status);
    }

    private async Task<List<PoisonMessage>> WaitForPoisonAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var peeked = (await poison.PeekMessagesAsync(32)).Value;
            if (peeked.Length >= count)
            {
                return [.. peeked.Select(m => JsonSerializer.Deserialize<PoisonMessage>(Convert.FromBase64String(m.MessageText), Infrastructure.Json.AistoJson.Options)!)];
            }

            await System.Threading.Tasks.Task.Delay(200);
        }

        throw new TimeoutException($"Fewer than {count} messages reached the poison queue.");
    }

    private async Task WaitForQueueDrainedAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && (await intake.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            await System.Threading.Tasks.Task.Delay(200);
        }

        await System.Threading.Tasks.Task.Delay(1000); // the last received message is settled after its handler ran
    }

    private async Task<IReadOnlyList<LedgerEntry>> RewardLinesAsync()
    {
        var ledger = app.App.Services.GetRequiredService<ILedgerStore>();
        var epoch = app.App.Services.GetRequiredService<EpochCalendar>().EpochOf(DateTimeOffset.UtcNow);
        return [.. (await ledger.ListAsync(epoch)).Where(e => e.Kind == LedgerEntryKind.DepinReward)];
    }
}
