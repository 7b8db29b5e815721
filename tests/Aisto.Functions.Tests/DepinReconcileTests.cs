using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aisto.Domain.Depin;
using Aisto.Domain.Ledger;
using Aisto.Infrastructure.Depin;
using Aisto.Infrastructure.Queues;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Depin;
using Aisto.Orchestrations.Ledger;
using Aisto.Orchestrations.Regions;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Tests;

/// <summary>
/// The DePIN reconcile timer (run by the standalone runtime's timer service every second here) gives an open task
/// whose orchestration is gone a new one — what a kill -9 between storing a task and starting it leaves, or an
/// orchestration that ended without ending its task — and the task then runs to completion exactly once.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class DepinReconcileTests(DepinReconcileTests.App fixture) : IClassFixture<DepinReconcileTests.App>
{
    private const string Rate = "3600000000000000000"; // 10^15 base units per GPU-second

    [Fact]
    public async Task A_task_stored_and_queued_without_an_orchestration_is_started_by_the_timer_and_runs_once()
    {
        // Arrange: what a crash between the intake's dispatch-queue insert and its schedule call leaves behind.
        var store = fixture.Harness.App.Services.GetRequiredService<IDepinStore>();
        var spec = Spec("orphan-" + Guid.NewGuid().ToString("N")[..8], seconds: 1);
        var receivedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        Assert.True(await store.TryCreateTaskAsync(new DepinTaskRecord(
            spec.TaskId, spec.ProjectId, DepinTaskStatus.Queued, spec, "fp", null, 0m, "0", null, receivedAt, null)));
        await store.EnqueueAsync(new DispatchEntry(
            spec.TaskId, spec.ProjectId, spec.GpuModel, spec.Gpu.TotalMilli, spec.CostGpuMilliSeconds, receivedAt.UtcTicks, Admitted: false));

        // Act + Assert: the timer starts it; it completes with the GPU-seconds and the reward of one run.
        var task = await fixture.WaitForTaskAsync(spec.TaskId, "Completed");
        Assert.Equal(("1.000", "1000000000000000"), (task.GetProperty("gpuSeconds").GetString(), task.GetProperty("reward").GetString()));
        await fixture.AssertRanOnceAsync(spec.TaskId);
    }

    [Fact]
    public async Task A_running_task_whose_orchestration_was_terminated_is_restarted_and_completes_once()
    {
        // Arrange: a task from the queue, running on the pool.
        var taskId = "killed-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.SendAsync(Spec(taskId, seconds: 2));
        await fixture.WaitForTaskAsync(taskId, "Running");
        var durable = fixture.Harness.App.Services.GetRequiredService<DurableTaskClient>();

        // Act: its orchestration dies without ending the task (the task keeps its booking).
        await durable.TerminateInstanceAsync(taskId, "killed by the test");
        await durable.WaitForInstanceCompletionAsync(taskId);

        // Assert: started again under the same id, it finishes once: one run's GPU-seconds, one reward, GPUs given back.
        var task = await fixture.WaitForTaskAsync(taskId, "Completed");
        Assert.Equal("2.000", task.GetProperty("gpuSeconds").GetString());
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await durable.GetInstanceAsync(taskId))!.RuntimeStatus);
        await fixture.AssertRanOnceAsync(taskId);
    }

    [Fact]
    public async Task A_task_admitted_by_another_processes_cycle_is_found_by_this_processes_admission_and_neither_booked_nor_charged_again()
    {
        // Arrange: this process (the app; its copy of the dispatch queue is not read again for an hour) queues a task;
        // another process (a second store and dispatcher on the same tables) admits it.
        var services = fixture.Harness.App.Services;
        var store = services.GetRequiredService<IDepinStore>();
        var otherStore = new TableDepinStore(
            services.GetRequiredService<AistoTables>(), Options.Create(new DepinOptions { DispatchViewMaxAge = TimeSpan.FromHours(1) }));
        var otherDispatcher = ActivatorUtilities.CreateInstance<DepinDispatcher>(services, otherStore, new InventoryWriteGate());
        var spec = Spec("elsewhere-" + Guid.NewGuid().ToString("N")[..8], seconds: 60);
        await store.EnqueueAsync(new DispatchEntry(
            spec.TaskId, spec.ProjectId, spec.GpuModel, spec.Gpu.TotalMilli, spec.CostGpuMilliSeconds, DateTimeOffset.UtcNow.UtcTicks, Admitted: false));
        Assert.NotNull(await otherStore.ViewDispatchEntryAsync(spec.TaskId));
        Assert.Contains(spec.TaskId, (await otherDispatcher.RunAsync(CancellationToken.None)).Admitted);
        var charged = (await store.GetFairShareAsync()).Passes["reconciled"];
        Assert.False((await store.ViewDispatchEntryAsync(spec.TaskId))!.Admitted); // this process's copy still has it queued

        // Act: this process's admission try for it.
        var admission = await new AdmitDepinTaskActivity(store, services.GetRequiredService<DepinDispatcher>(), TimeProvider.System).ExecuteAsync(spec.TaskId, CancellationToken.None);

        // Assert: it gets the other cycle's booking; no second booking, no second charge.
        Assert.NotNull(admission.Placement);
        var inventory = services.GetRequiredService<IInventoryStore>();
        Assert.Single(await inventory.ListNodesAsync(), n => n.Node.Allocations.ContainsKey(DepinDispatcher.HolderOf(spec.TaskId)));
        Assert.Equal(charged, (await store.GetFairShareAsync()).Passes["reconciled"]);
        await new ReleaseDepinCapacityActivity(store, inventory, services.GetRequiredService<InventoryWriteGate>())
            .ExecuteAsync(new ReleaseDepinCapacityInput(spec.TaskId, admission.Placement), CancellationToken.None);
    }

    private static DepinTaskSpec Spec(string taskId, int seconds) =>
        DepinTaskMessage.Parse(
            Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                taskId,
                projectId = "reconciled",
                gpuModel = "A100",
                gpuCount = 1,
                durationMinutes = seconds / 60m,
                image = "ghcr.io/depin/worker:1",
                command = new[] { "work" },
            })),
            out _,
            out var reason) ?? throw new InvalidOperationException(reason);

    /// <summary>One app for the class: reconcile every second, tasks older than a second count as orphans.</summary>
    public sealed class App : IAsyncLifetime
    {
        public AppHarness Harness { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Harness = await AppHarness.StartAsync(new Dictionary<string, string?>
            {
                ["Aisto:Depin:ReconcileSchedule"] = "* * * * * *",
                ["Aisto:Depin:ReconcileMinimumAge"] = "00:00:01",
                ["Aisto:Depin:DispatchViewMaxAge"] = "01:00:00", // one process: its own changes keep its copy exact
                ["Aisto:Depin:QueueRetryInterval"] = "00:00:01",
                ["Aisto:Depin:ReadyPollInterval"] = "00:00:00.250",
                ["Aisto:Standalone:Queues:MaxPollingInterval"] = "00:00:00.250",
            });
            using var op = Harness.Client(AppHarness.Operator);
            (await op.PostAsJsonAsync("/api/depin/projects", new { projectId = "reconciled", name = "Reconciled", priority = 5, rewardPerGpuHour = Rate, maxGpus = 8 }))
                .EnsureSuccessStatusCode();
            await Harness.App.Services.GetRequiredService<StorageQueues>().Get(Harness.Prefix + "-depin").CreateIfNotExistsAsync();
        }

        public async Task DisposeAsync() => await Harness.DisposeAsync();

        public Task SendAsync(DepinTaskSpec spec) =>
            Harness.App.Services.GetRequiredService<StorageQueues>().Get(Harness.Prefix + "-depin").SendMessageAsync(
                Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
                {
                    taskId = spec.TaskId,
                    projectId = spec.ProjectId,
                    gpuModel = spec.GpuModel,
                    gpuCount = spec.Gpu.TotalMilli / 1000,
                    durationMinutes = spec.DurationMinutes,
                    image = spec.Image,
                    command = spec.Command,
                }))));

        public async Task<JsonElement> WaitForTaskAsync(string taskId, string status)
        {
            using var client = Harness.Client();
            return await client.WaitForTaskAsync(
                taskId,
                t => t.GetProperty("status").GetString() == status,
                TimeSpan.FromSeconds(30),
                async () =>
                {
                    // What the dispatcher and the engine see, so a timeout says where the task is stuck.
                    var entry = await Harness.App.Services.GetRequiredService<IDepinStore>().GetDispatchAsync(taskId);
                    var instance = await Harness.App.Services.GetRequiredService<DurableTaskClient>().GetInstanceAsync(taskId);
                    return $"dispatch entry: {entry}; orchestration: {instance?.RuntimeStatus}";
                });
        }

        /// <summary>One reward line, and the ended task is left alone by later reconcile passes (no new instance, no booking).</summary>
        public async Task AssertRanOnceAsync(string taskId)
        {
            var durable = Harness.App.Services.GetRequiredService<DurableTaskClient>();
            var ended = await durable.GetInstanceAsync(taskId);
            await Task.Delay(TimeSpan.FromSeconds(2.5)); // two more reconcile passes

            var ledger = Harness.App.Services.GetRequiredService<ILedgerStore>();
            var epoch = Harness.App.Services.GetRequiredService<EpochCalendar>().EpochOf(DateTimeOffset.UtcNow);
            Assert.Single(await ledger.ListAsync(epoch), e => e.Kind == LedgerEntryKind.DepinReward && e.Reference == taskId);
            Assert.Equal(ended!.CreatedAt, (await durable.GetInstanceAsync(taskId))!.CreatedAt);
            Assert.Null(await Harness.App.Services.GetRequiredService<IDepinStore>().GetDispatchAsync(taskId));
        }
    }
}
