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

        // The first lifecycles of a process pay for JIT compilation (tiered: quick code first, optimized code once
        // methods are hot); a larger warm-up measures the steady state of a long-running app instead.
        var warmup = int.Parse(Option(args, "--warmup") ?? "4", System.Globalization.CultureInfo.InvariantCulture);
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];

        await using var emulator = await BenchStorage.StartAsync();
        var connection = emulator.ConnectionString;
        var settings = new Dictionary<string, string?>
        {
            ["Aisto:Storage:ConnectionString"] = connection,
            ["Aisto:Standalone:Urls"] = $"http://127.0.0.1:{ChildProcess.FreePort()}",
            ["Aisto:Storage:TablePrefix"] = prefix,
            ["Aisto:Durable:TaskHub"] = prefix,
            ["Aisto:Durable:Backend"] = engine == "memory" ? "InMemory" : "AzureStorage",
            ["Aisto:Durable:PartitionCount"] = "4",
            ["Aisto:Standalone:StartDevChain"] = "false",
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
        await RunBatchAsync(commands, durable, warmup, "warm");
        using var requests = new StorageRequestCounter(prefix) { Counting = true };
        var appCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var storageCpu = emulator.CpuTime;
        var clock = Stopwatch.StartNew();
        var outcomes = await RunBatchAsync(commands, durable, count, "run");
        clock.Stop();
        requests.Counting = false;
        appCpu = Process.GetCurrentProcess().TotalProcessorTime - appCpu;
        storageCpu = emulator.CpuTime - storageCpu;

        var result = new
        {
            engine = engine == "memory" ? "in-memory" : "azure-storage (Azurite)",
            lifecycles = count,
            completed = outcomes.Count(o => o == OrchestrationRuntimeStatus.Completed),
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            lifecyclesPerSecond = Math.Round(count / clock.Elapsed.TotalSeconds, 1),
            cores = Environment.ProcessorCount,
            // CPU spent per lifecycle by the app (engine + activities + the driver) and by Azurite: what the figure
            // would be on this machine's cores with nothing else running is about cores / (app + storage).
            appCpuMsPerLifecycle = Math.Round(appCpu.TotalMilliseconds / count, 1),
            storageCpuMsPerLifecycle = Math.Round(storageCpu.TotalMilliseconds / count, 1),
            storageRequestsPerLifecycle = requests.TotalPerItem(count),
            warmup,
            loadAverage = ProcessCpu.LoadAverage(),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        foreach (var (request, perLifecycle) in requests.PerItem(count))
        {
            Console.Error.WriteLine($"{perLifecycle,8:0.00}  {request}");
        }

        return result.completed == count ? 0 : 1;
    }

    private static async Task<OrchestrationRuntimeStatus[]> RunBatchAsync(LeaseCommands commands, DurableTaskClient durable, int count, string tag)
    {
        var createdFrom = DateTimeOffset.UtcNow.AddSeconds(-1);
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var request = new LeaseRequest(
                Models[i % Models.Length], GpuDemand.Whole(1), 1, 1, 0m, LeaseClass.OnDemand, LeasePool.Leasing,
                LeasePurpose.Inference, Regions[i / Models.Length % Regions.Length], null, null, PreemptionAction.End, null);
            var created = await commands.CreateAsync(durable, "bench", request, $"{tag}-{i}", CancellationToken.None);
            return created.Value!.LeaseId;
        }));
        // One paged status query every half second, not a call per instance: the driver's own polling must not eat
        // the CPU it is measuring (polling each instance every 100 ms cost more than the lifecycles themselves).
        var pending = new HashSet<string>(ids, StringComparer.Ordinal);
        var finished = new Dictionary<string, OrchestrationRuntimeStatus>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        var query = new OrchestrationQuery
        {
            CreatedFrom = createdFrom,
            Statuses = [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated],
            PageSize = 1000,
            FetchInputsAndOutputs = false,
        };
        while (pending.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            await foreach (var state in durable.GetAllInstancesAsync(query))
            {
                if (pending.Remove(state.InstanceId))
                {
                    finished[state.InstanceId] = state.RuntimeStatus;
                }
            }
        }

        return [.. finished.Values];
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
