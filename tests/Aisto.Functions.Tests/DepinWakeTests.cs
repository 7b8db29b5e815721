using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aisto.Infrastructure.Queues;
using Aisto.Orchestrations.Depin;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>
/// Waking admitted DePIN tasks: a cycle's admitted tasks are woken once each, by one of the tries that shared the
/// cycle, and never left to their retry timer.
/// </summary>
public sealed class DepinCycleWakeTests
{
    [Fact]
    public void The_first_try_that_takes_a_cycle_s_wakes_gets_the_admitted_tasks_that_did_not_ask_and_later_tries_get_none()
    {
        var cycle = new DepinCycle(["asked", "sleeping-1", "sleeping-2"], [])
        {
            Askers = new HashSet<string>(["asked", "not-admitted"], StringComparer.Ordinal),
        };

        var first = cycle.TakeWakes();
        var second = cycle.TakeWakes();

        Assert.Equal(["sleeping-1", "sleeping-2"], first);
        Assert.Empty(second);
    }

    [Fact]
    public async Task Every_try_sharing_one_cycle_gets_its_own_answer_and_one_of_them_the_wakes()
    {
        var cycle = new DepinCycle(["a", "b", "c"], []) { Askers = new HashSet<string>(["a"], StringComparer.Ordinal) };

        var taken = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(cycle.TakeWakes)));

        Assert.Single(taken, t => t.Count > 0);
        Assert.Equal(["b", "c"], taken.Single(t => t.Count > 0));
    }
}

/// <summary>
/// End to end on the standalone runtime with a retry timer of ten minutes: a task held back by its project's GPU cap
/// starts as soon as the task before it ends — it is woken by the cycle that admitted it, not by its timer.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class DepinWakeTests : IAsyncLifetime
{
    private AppHarness app = null!;
    private QueueClient intake = null!;

    public async Task InitializeAsync()
    {
        app = await AppHarness.StartAsync(
            new Dictionary<string, string?>
            {
                ["Aisto:Depin:QueueRetryInterval"] = "00:10:00",
                ["Aisto:Depin:ReadyPollInterval"] = "00:00:00.250",
                ["Aisto:Standalone:Queues:MaxPollingInterval"] = "00:00:00.250",
            });
        intake = app.App.Services.GetRequiredService<StorageQueues>().Get(app.Prefix + "-depin");
        await intake.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Tasks_held_back_by_their_project_s_cap_start_when_the_one_before_ends_not_when_their_retry_timer_fires()
    {
        using var op = app.Client(AppHarness.Operator);
        var created = await op.PostAsJsonAsync(
            "/api/depin/projects", new { projectId = "one-at-a-time", name = "one", priority = 5, rewardPerGpuHour = "1000", maxGpus = 1 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        foreach (var taskId in new[] { "first", "second", "third" })
        {
            await intake.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                taskId,
                projectId = "one-at-a-time",
                gpuModel = "A100",
                gpuCount = 1,
                durationMinutes = 1 / 60m,
                image = "ghcr.io/depin/worker:1",
                command = new[] { "work" },
            }))));
        }

        // One GPU at a time, one second each: well within a minute if each is woken, ten minutes per task if not.
        using var client = app.Client();
        foreach (var taskId in new[] { "first", "second", "third" })
        {
            var task = await client.WaitForTaskAsync(taskId, t => t.GetProperty("status").GetString() == "Completed", TimeSpan.FromSeconds(45));
            Assert.Equal("1.000", task.GetProperty("gpuSeconds").GetString());
        }
    }
}
