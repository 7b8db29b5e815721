using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aisto.Domain.Ledger;
using Aisto.Infrastructure.Queues;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;

namespace Aisto.Faults;

/// <summary>
/// DePIN tasks under kill -9: a seeded producer puts short tasks on the intake queue (some delivered twice) while
/// the app is killed and restarted. At the end every task must have run exactly once: Completed, its GPU-seconds
/// those of one run, one reward entry in the ledger, its GPUs given back.
/// </summary>
public static class DepinFaults
{
    private static readonly string[] Models = ["A100", "H100", "L40S", "RTX4090"];
    private static readonly HashSet<string> Terminal = ["Completed", "Failed", "Rejected"];

    public static async Task<FaultReport> RunAsync(FaultSettings settings, ILoggerFactory logs)
    {
        var report = new FaultReport("depin");
        var logger = logs.CreateLogger("faults.depin");
        await using var rig = await FaultRig.StartAsync("depin", logs);
        // A message the killed process had received but not stored yet comes back after this (default 5 min, longer
        // than the 4-min quiescence wait below, so such a task was reported "never stored" although it would be).
        rig.Set("Aisto:Standalone:Queues:MessageLeaseTime", "00:01:00");
        await rig.StartAppAsync();
        using var operatorClient = rig.Client(FaultRig.OperatorKey);
        var project = new { projectId = "faults", name = "Fault campaign", priority = 5, rewardPerGpuHour = "1000000000000000000", maxGpus = 64 };
        (await operatorClient.PostAsJsonAsync(new Uri("/api/depin/projects", UriKind.Relative), project)).EnsureSuccessStatusCode();
        var queue = new StorageQueues(rig.Storage).Get(rig.Prefix + "-depin");
        await queue.CreateIfNotExistsAsync();

        var random = new Random(settings.Seed + 2);
        var tasks = new List<(string TaskId, int Gpus, long Seconds)>();
        var total = (settings.Kills * 3) + 6;
        using (var stop = new CancellationTokenSource())
        {
            var producing = Task.Run(async () =>
            {
                for (var i = 0; i < total && !stop.IsCancellationRequested; i++)
                {
                    var task = ($"faults-{i}", random.Next(1, 3), (long)random.Next(3, 10));
                    tasks.Add(task);
                    var twice = random.NextDouble() < 0.15;
                    await rig.StorageUse.WaitAsync();
                    try
                    {
                        await SendAsync(queue, task, Models[random.Next(Models.Length)], twice ? 2 : 1);
                    }
                    finally
                    {
                        rig.StorageUse.Release();
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(200, 900)), CancellationToken.None);
                }
            });
            await KillSchedule.RunAsync(rig, report, settings.Kills, new Random(settings.Seed));
            await producing;
        }

        report.Items = tasks.Count;

        // Quiescence: every task ended.
        var last = new Dictionary<string, JsonElement>();
        var quiet = await KillSchedule.WaitUntilAsync(
            async () =>
            {
                foreach (var (taskId, _, _) in tasks.Where(t => !last.TryGetValue(t.TaskId, out var seen) || !Terminal.Contains(seen.GetProperty("status").GetString()!)))
                {
                    using var response = await operatorClient.GetAsync(new Uri($"/api/depin/tasks/{taskId}", UriKind.Relative));
                    if (response.IsSuccessStatusCode)
                    {
                        last[taskId] = await response.Content.ReadFromJsonAsync<JsonElement>();
                    }
                }

                return tasks.All(t => last.TryGetValue(t.TaskId, out var seen) && Terminal.Contains(seen.GetProperty("status").GetString()!));
            },
            TimeSpan.FromMinutes(4));
        logger.LogInformation("Tasks quiescent: {Quiet}", quiet);

        var received = last.Values.Select(v => v.GetProperty("receivedAt").GetDateTimeOffset()).DefaultIfEmpty(DateTimeOffset.UtcNow).Min();
        var entries = (await new Ledger(rig).EntriesAsync(received, DateTimeOffset.UtcNow)).Where(e => e.Kind == LedgerEntryKind.DepinReward).ToList();
        foreach (var (taskId, gpus, seconds) in tasks)
        {
            // Not lost: the task exists and completed.
            var status = last.TryGetValue(taskId, out var task) ? task.GetProperty("status").GetString()! : "(missing)";
            report.Check(status == "Completed", () => $"task {taskId} ended {status}: {(last.TryGetValue(taskId, out var t) ? t.GetProperty("failureReason").ToString() : "never stored")}");
            if (status != "Completed")
            {
                continue;
            }

            // Run once: the GPU-seconds of one run, one reward entry matching the task's reward.
            var gpuSeconds = decimal.Parse(task.GetProperty("gpuSeconds").GetString()!, CultureInfo.InvariantCulture);
            report.Check(gpuSeconds == gpus * seconds, () => $"task {taskId}: {gpuSeconds} GPU-seconds, one run is {gpus * seconds}");
            var rewards = entries.Where(e => e.Reference == taskId).ToList();
            report.Check(rewards.Count == 1 && rewards[0].TokenAmount == task.GetProperty("reward").GetString(), () =>
                $"task {taskId}: {rewards.Count} reward entries ({string.Join(",", rewards.Select(r => r.TokenAmount))}), task shows {task.GetProperty("reward")}");
        }

        if (!quiet)
        {
            // Diagnostics: the dispatch queue as the dispatcher sees it.
            var dispatch = await new Aisto.Infrastructure.Depin.TableDepinStore(new Aisto.Infrastructure.Storage.AistoTables(rig.Storage)).ListDispatchAsync();
            logger.LogWarning(
                "Dispatch queue: {Waiting} waiting ({WaitingIds}), {Admitted} admitted ({AdmittedIds})",
                dispatch.Count(d => !d.Admitted), string.Join(",", dispatch.Where(d => !d.Admitted).Select(d => d.TaskId)),
                dispatch.Count(d => d.Admitted), string.Join(",", dispatch.Where(d => d.Admitted).Select(d => $"{d.TaskId}:{(last.TryGetValue(d.TaskId, out var t) ? t.GetProperty("status").GetString() : "?")}")));
        }

        // No GPU left booked by an ended task, none over capacity.
        var bookings = await Inventory.CheckCapacityAsync(rig, report, "at the end");
        var leftover = bookings.Where(b => tasks.Any(t => b.HolderId.Contains(t.TaskId, StringComparison.Ordinal))).ToList();
        report.Check(leftover.Count == 0, () => $"GPUs still booked by ended tasks: {string.Join(", ", leftover.Select(b => $"{b.HolderId}@{b.NodeId}"))}");
        return report;
    }

    private static async Task SendAsync(QueueClient queue, (string TaskId, int Gpus, long Seconds) task, string model, int times)
    {
        var json = JsonSerializer.Serialize(new
        {
            taskId = task.TaskId,
            projectId = "faults",
            gpuModel = model,
            gpuCount = task.Gpus,
            durationMinutes = Math.Round(task.Seconds / 60m, 6),
            image = "ghcr.io/faults/worker:1",
            command = new[] { "work" },
        });
        for (var i = 0; i < times; i++)
        {
            // Storage is the queue's; the app may be dead, Azurite is up except during its own restart: retry then.
            await KillSchedule.WaitUntilAsync(
                async () =>
                {
                    try
                    {
                        await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));
                        return true;
                    }
                    catch (Azure.RequestFailedException)
                    {
                        return false;
                    }
                },
                TimeSpan.FromSeconds(30));
        }
    }
}
