using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Aisto.Functions.Standalone;
using Aisto.Infrastructure.Depin;
using Aisto.Infrastructure.Queues;
using Aisto.Infrastructure.Runtime;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Depin;
using Azure.Storage.Queues;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Aisto.Bench;

/// <summary>
/// DePIN intake throughput: N task messages (base64 JSON, as producers send them) are put on the Azurite intake
/// queue while the standalone app runs; the figure is messages per second from the first send until the app's intake meter has counted
/// every message as Started — each one received by the queue trigger service, validated, stored, its orchestration scheduled on
/// the Azure Storage durable engine. The started orchestrations run meanwhile (they are queued on a
/// full DePIN pool), so the figure includes their load on the same emulator. Afterwards every task is checked to
/// have exactly one orchestration.
/// </summary>
public static class DepinIntakeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = int.Parse(Option(args, "--count") ?? "2000", CultureInfo.InvariantCulture);
        var engine = Option(args, "--engine") ?? "azure";
        var senders = int.Parse(Option(args, "--senders") ?? "16", CultureInfo.InvariantCulture);
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["Aisto:Standalone:Urls"] = $"http://127.0.0.1:{ChildProcess.FreePort()}",
            ["Aisto:Storage:TablePrefix"] = prefix,
            ["Aisto:Durable:TaskHub"] = prefix,
            ["Aisto:Durable:Backend"] = engine == "memory" ? "InMemory" : "AzureStorage",
            ["Aisto:Durable:PartitionCount"] = "4",
            ["Aisto:Depin:QueueName"] = prefix + "-depin",
            ["Aisto:Depin:QueueRetryInterval"] = "00:01:00",
            ["Aisto:Standalone:Queues:MaxPollingInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
            // No dev chain: intake and the tasks' rewards (ledger lines) never touch it, and starting Hardhat and
            // deploying the contracts in the background would compete with the few seconds measured.
            ["Aisto:Standalone:StartDevChain"] = "false",
        };
        foreach (var arg in args.Where(a => a.StartsWith("--Aisto:", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)))
        {
            settings[arg[2..arg.IndexOf('=', StringComparison.Ordinal)]] = arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..];
        }

        var prefill = args.Contains("--prefill");
        await using var emulator = await BenchStorage.StartAsync();
        var connection = emulator.ConnectionString;
        settings["Aisto:Storage:ConnectionString"] = connection;
        var storage = Options.Create(new StorageOptions { ConnectionString = connection, TablePrefix = prefix });
        var queue = new StorageQueues(storage).Get(prefix + "-depin");
        await queue.CreateIfNotExistsAsync();
        await new TableDepinStore(new AistoTables(storage)).TryCreateProjectAsync(
            new DepinProject("bench", "bench", 5, "1000000000000000000", 100_000, DateTimeOffset.UtcNow));

        // Count intake verdicts as the app reports them (its meter), not by polling the queue.
        long started = 0;
        long wakes = 0;
        long shared = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DepinTaskIntake.MeterName && instrument.Name is DepinTaskIntake.VerdictsCounter
                or AdmitDepinTaskActivity.WakesCounter or AdmitDepinTaskActivity.SharedAdmissionsCounter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            // Wake events handed out, and what every try waking its whole cycle would have sent.
            if (instrument.Name == AdmitDepinTaskActivity.WakesCounter)
            {
                Interlocked.Add(ref wakes, value);
                return;
            }

            if (instrument.Name == AdmitDepinTaskActivity.SharedAdmissionsCounter)
            {
                Interlocked.Add(ref shared, value);
                return;
            }

            foreach (var tag in tags)
            {
                if (tag.Key == "outcome" && (string?)tag.Value == nameof(IntakeOutcome.Started))
                {
                    Interlocked.Add(ref started, value);
                }
            }
        });
        listener.Start();

        // --prefill --warmup N: a first app in this process takes N messages from a queue of its own and stops, so the
        // measured app runs code the JIT has already optimized (as a long-running app does), not code being compiled.
        var jitWarmup = prefill ? int.Parse(Option(args, "--warmup") ?? "0", CultureInfo.InvariantCulture) : 0;
        if (jitWarmup > 0)
        {
            var warmQueue = new StorageQueues(storage).Get(prefix + "-depinwarm");
            await warmQueue.CreateIfNotExistsAsync();
            await SendAsync(warmQueue, "jit", jitWarmup, senders);
            var warmSettings = new Dictionary<string, string?>(settings)
            {
                ["Aisto:Depin:QueueName"] = prefix + "-depinwarm",
                ["Aisto:Durable:TaskHub"] = prefix + "warm",
                ["Aisto:Standalone:Urls"] = $"http://127.0.0.1:{ChildProcess.FreePort()}",
            };
            await using (await StandaloneHost.StartAsync([], warmSettings))
            {
                await WaitForAsync(() => Interlocked.Read(ref started) >= jitWarmup);
            }

            Interlocked.Exchange(ref started, 0);
            Interlocked.Exchange(ref wakes, 0);
            Interlocked.Exchange(ref shared, 0);
        }

        // --prefill: the messages wait on the queue before the app starts, so the figure is the intake alone; the
        // clock starts when the app is up, and messages taken during its start are left out of the count.
        // Otherwise: warm up (JIT, tables, partitions), then send while the app consumes.
        var warmUp = prefill ? 0 : 40;
        var sendClock = Stopwatch.StartNew();
        if (prefill)
        {
            await SendAsync(queue, "run", count, senders);
        }

        var sent = sendClock.Elapsed;
        await using var app = await StandaloneHost.StartAsync([], settings);
        var durable = app.Services.GetRequiredService<DurableTaskClient>();
        await SendAsync(queue, "warm", warmUp, senders);
        await WaitForAsync(() => Interlocked.Read(ref started) >= warmUp);
        using var requests = new StorageRequestCounter(prefix) { Counting = true };
        var appCpu = ProcessCpu.OfThisProcess();
        var storageCpu = emulator.CpuTime;
        var clock = Stopwatch.StartNew();
        var before = Interlocked.Read(ref started) - warmUp;
        if (!prefill)
        {
            await SendAsync(queue, "run", count, senders);
            sent = clock.Elapsed;
        }

        await WaitForAsync(() => Interlocked.Read(ref started) >= warmUp + count);
        clock.Stop();
        var (wakesSent, wakesShared) = (Interlocked.Read(ref wakes), Interlocked.Read(ref shared));
        requests.Counting = false;
        appCpu = ProcessCpu.OfThisProcess() - appCpu;
        storageCpu = emulator.CpuTime - storageCpu;

        // Every task has its orchestration.
        var instances = 0;
        foreach (var chunk in Enumerable.Range(0, count).Chunk(64))
        {
            var found = await Task.WhenAll(chunk.Select(i => durable.GetInstanceAsync($"run-{i}")));
            instances += found.Count(f => f is not null);
        }

        var result = new
        {
            benchmark = "depin-intake",
            engine = engine == "memory" ? "in-memory" : "azure-storage (Azurite)",
            mode = prefill ? "prefilled queue" : "sent while consuming",
            jitWarmup,
            messages = count,
            takenDuringStart = before,
            started = Interlocked.Read(ref started) - warmUp,
            orchestrationsFound = instances,
            sendSeconds = Math.Round(sent.TotalSeconds, 2),
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            messagesPerSecond = Math.Round((count - before) / clock.Elapsed.TotalSeconds, 1),
            cores = Environment.ProcessorCount,
            // Per message while the clock ran, the started orchestrations' own work included.
            appCpuMsPerMessage = Math.Round(appCpu.TotalMilliseconds / (count - before), 2),
            storageCpuMsPerMessage = Math.Round(storageCpu.TotalMilliseconds / (count - before), 2),
            storageRequestsPerMessage = requests.TotalPerItem((int)(count - before)),
            loadAverage = ProcessCpu.LoadAverage(),
            // DepinAdmitted events handed to orchestrations to send (from the app's start), and how many there would be
            // if every admission try woke every task its shared cycle admitted (as before the wake duty).
            wakeEvents = wakesSent,
            wakeEventsIfEveryTryWokeItsCycle = wakesShared,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        foreach (var (request, perMessage) in requests.PerItem((int)(count - before)))
        {
            Console.Error.WriteLine($"{perMessage,8:0.00}  {request}");
        }

        return instances == count ? 0 : 1;
    }

    private static async Task SendAsync(QueueClient queue, string tag, int count, int senders)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var json = JsonSerializer.Serialize(new
                {
                    taskId = $"{tag}-{i}",
                    projectId = "bench",
                    gpuModel = "A100",
                    gpuCount = 1,
                    durationMinutes = 60,
                    image = "ghcr.io/depin/worker:1",
                    command = new[] { "work" },
                });
                await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));
            }
        }));
    }

    private static async Task WaitForAsync(Func<bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (!done() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
