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
/// Three shapes:
/// <list type="bullet">
/// <item>a burst (<c>--count N</c> leases requested at once): how fast a deep queue drains;</item>
/// <item>closed loop (<c>--clients K --count N</c>): K clients, each requesting its next lease as soon as its last one
/// ended, N in all — the throughput the platform sustains when demand always waits for it (how load generators such
/// as wrk measure a server);</item>
/// <item>a sustained rate (<c>--rate R --seconds T</c>): R leases a second, evenly spaced, for T seconds, whatever
/// happens — whether the platform keeps up with that arrival rate, and how long each lifecycle takes while it does.</item>
/// </list>
/// All time the lifecycles by the engine's own record of when each finished, not by when the driver noticed.
/// </summary>
public static class LifecycleBenchmark
{
    private static readonly string[] Models = ["H100", "A100", "L40S", "RTX4090"];
    private static readonly string[] Regions = ["us-east", "singapore", "malaysia"];

    public static async Task<int> RunAsync(string[] args)
    {
        var engine = Option(args, "--engine") ?? "memory";
        var count = int.Parse(Option(args, "--count") ?? "200", System.Globalization.CultureInfo.InvariantCulture);
        var clients = Option(args, "--clients") is { } k ? int.Parse(k, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        var rate = Option(args, "--rate") is { } r ? double.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : (double?)null;
        if (rate is { } perSecond)
        {
            var seconds = double.Parse(Option(args, "--seconds") ?? "30", System.Globalization.CultureInfo.InvariantCulture);
            count = (int)Math.Round(perSecond * seconds);
        }

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
        var started = DateTimeOffset.UtcNow;
        var outcomes = clients is { } k2
            ? await RunClosedLoopAsync(commands, durable, count, k2)
            : await RunBatchAsync(commands, durable, count, "run", rate);
        requests.Counting = false;
        appCpu = Process.GetCurrentProcess().TotalProcessorTime - appCpu;
        storageCpu = emulator.CpuTime - storageCpu;

        // From the first request to the last lifecycle's end as the engine recorded it (the driver looks only every
        // half second, so its own clock would add up to 0.5 s to every run).
        var lastEnd = outcomes.Max(o => o.LastUpdatedAt);
        var elapsed = lastEnd - started;
        var latencies = outcomes.Select(o => (o.LastUpdatedAt - o.CreatedAt).TotalMilliseconds).Order().ToArray();
        var result = new
        {
            engine = engine == "memory" ? "in-memory" : "azure-storage (Azurite)",
            shape = clients is { } k3 ? $"closed loop, {k3} clients" : rate is { } offered ? $"sustained {offered:0.#}/s" : "burst",
            lifecycles = count,
            completed = outcomes.Count(o => o.RuntimeStatus == OrchestrationRuntimeStatus.Completed),
            seconds = Math.Round(elapsed.TotalSeconds, 2),
            lifecyclesPerSecond = Math.Round(count / elapsed.TotalSeconds, 1),
            lifecycleMsP50 = Math.Round(Percentile(latencies, 0.50)),
            lifecycleMsP99 = Math.Round(Percentile(latencies, 0.99)),
            lifecycleMsMax = Math.Round(latencies[^1]),
            cores = Environment.ProcessorCount,
            // CPU spent per lifecycle by the app (engine + activities + the driver) and by Azurite: what the figure
            // would be on this machine's cores with nothing else running is about cores / (app + storage).
            appCpuMsPerLifecycle = Math.Round(appCpu.TotalMilliseconds / count, 1),
            // CPU is counted until the driver saw the last lifecycle end, so it includes up to half a second of idle
            // polling (a few ms in all).
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

    /// <summary><paramref name="clients"/> clients request one lease each, wait for its lifecycle to end (the
    /// engine tells the waiting client; nothing polls), and request the next, until <paramref name="count"/> were
    /// requested.</summary>
    private static async Task<OrchestrationMetadata[]> RunClosedLoopAsync(
        LeaseCommands commands, DurableTaskClient durable, int count, int clients)
    {
        var next = -1;
        var finished = new OrchestrationMetadata[count];
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            await Task.Yield();
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var leaseId = await CreateAsync(commands, durable, i, "loop");
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                finished[i] = await durable.WaitForInstanceCompletionAsync(leaseId, getInputsAndOutputs: false, timeout.Token);
            }
        }));
        return finished;
    }

    private static async Task<string> CreateAsync(LeaseCommands commands, DurableTaskClient durable, int i, string tag)
    {
        var request = new LeaseRequest(
            Models[i % Models.Length], GpuDemand.Whole(1), 1, 1, 0m, LeaseClass.OnDemand, LeasePool.Leasing,
            LeasePurpose.Inference, Regions[i / Models.Length % Regions.Length], null, null, PreemptionAction.End, null);
        var created = await commands.CreateAsync(durable, "bench", request, $"{tag}-{i}", CancellationToken.None);
        return created.Value!.LeaseId;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>Requests <paramref name="count"/> leases (all at once, or <paramref name="rate"/> a second evenly
    /// spaced) and waits until every lifecycle has ended; returns the engine's record of each.</summary>
    private static async Task<OrchestrationMetadata[]> RunBatchAsync(
        LeaseCommands commands, DurableTaskClient durable, int count, string tag, double? rate = null)
    {
        var createdFrom = DateTimeOffset.UtcNow.AddSeconds(-1);
        var pace = Stopwatch.StartNew();
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            if (rate is { } perSecond && TimeSpan.FromSeconds(i / perSecond) - pace.Elapsed is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait);
            }

            return await CreateAsync(commands, durable, i, tag);
        }));
        // One paged status query every half second, not a call per instance: the driver's own polling must not eat
        // the CPU it is measuring (polling each instance every 100 ms cost more than the lifecycles themselves).
        var pending = new HashSet<string>(ids, StringComparer.Ordinal);
        var finished = new Dictionary<string, OrchestrationMetadata>(StringComparer.Ordinal);
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
                    finished[state.InstanceId] = state;
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
