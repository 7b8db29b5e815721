using System.Diagnostics;
using System.Text.Json;
using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Functions.Standalone;
using Aisto.Infrastructure.Runtime;
using Aisto.Orchestrations.Leases;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Bench;

/// <summary>
/// Replay harness: full short lease lifecycles per second (queue → reserve → provision → active → expire → release,
/// every step a durable activity against Azure Tables on Azurite) on the in-memory or the Azure Storage engine.
/// Leases last 0 s so the figure measures the workflow machinery, not the lease length.
/// </summary>
public static class LifecycleBenchmark
{
    private static readonly string[] Models = ["H100", "A100", "L40S", "RTX4090"];
    private static readonly string[] Regions = ["us-east", "singapore", "malaysia"];

    public static async Task<int> RunAsync(string[] args)
    {
        var engine = Option(args, "--engine") ?? "memory";
        var count = int.Parse(Option(args, "--count") ?? "200", System.Globalization.CultureInfo.InvariantCulture);
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["Aisto:Standalone:Urls"] = $"http://127.0.0.1:{ChildProcess.FreePort()}",
            ["Aisto:Storage:TablePrefix"] = prefix,
            ["Aisto:Durable:TaskHub"] = prefix,
            ["Aisto:Durable:Backend"] = engine == "memory" ? "InMemory" : "AzureStorage",
            ["Aisto:Durable:PartitionCount"] = "4",
            ["Aisto:Regions:ProvisioningDelay"] = "00:00:00",
            ["Aisto:Leases:ReadyPollInterval"] = "00:00:00.050",
            ["Aisto:Leases:QueueRetryInterval"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var arg in args.Where(a => a.StartsWith("--Aisto:", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)))
        {
            settings[arg[2..arg.IndexOf('=', StringComparison.Ordinal)]] = arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..];
        }


        await using var app = await StandaloneHost.StartAsync([], settings);
        var commands = app.Services.GetRequiredService<LeaseCommands>();
        var durable = app.Services.GetRequiredService<DurableTaskClient>();

        // Warm up once (JIT, table creation, partition leases), then measure.
        await RunBatchAsync(commands, durable, 4, "warm");
        var clock = Stopwatch.StartNew();
        var outcomes = await RunBatchAsync(commands, durable, count, "run");
        clock.Stop();

        var result = new
        {
            engine = engine == "memory" ? "in-memory" : "azure-storage (Azurite)",
            lifecycles = count,
            completed = outcomes.Count(o => o == OrchestrationRuntimeStatus.Completed),
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            lifecyclesPerSecond = Math.Round(count / clock.Elapsed.TotalSeconds, 1),
            cores = Environment.ProcessorCount,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return result.completed == count ? 0 : 1;
    }

    private static async Task<OrchestrationRuntimeStatus[]> RunBatchAsync(LeaseCommands commands, DurableTaskClient durable, int count, string tag)
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var request = new LeaseRequest(
                Models[i % Models.Length], GpuDemand.Whole(1), 1, 1, 0m, LeaseClass.OnDemand, LeasePool.Leasing,
                LeasePurpose.Inference, Regions[i / Models.Length % Regions.Length], null, null, PreemptionAction.End, null);
            var created = await commands.CreateAsync(durable, "bench", request, $"{tag}-{i}", CancellationToken.None);
            return created.Value!.LeaseId;
        }));
        // Poll rather than hold one long-poll stream per instance open against the engine.
        var finished = new Dictionary<string, OrchestrationRuntimeStatus>();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (finished.Count < ids.Length && DateTime.UtcNow < deadline)
        {
            foreach (var id in ids.Where(id => !finished.ContainsKey(id)))
            {
                var state = await durable.GetInstanceAsync(id);
                if (state is { IsCompleted: true })
                {
                    finished[id] = state.RuntimeStatus;
                }
            }

            await Task.Delay(100);
        }

        return [.. finished.Values];
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
