using System.Diagnostics;
using System.Text.Json;
using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Infrastructure.Runtime;
using Aisto.Orchestrations.Leases;
using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Bench;

/// <summary>
/// What the durable engine alone costs per lease lifecycle: an orchestration of the lifecycle's shape (the real
/// <see cref="LeaseLifecycleInput"/>, a start and three activities in sequence, so four orchestration turns) whose
/// activities do nothing, on the in-memory backend, with no storage at all. <c>--worker sidecar</c> runs it the way
/// the standalone runtime does (portable SDK worker and client over the in-process gRPC sidecar);
/// <c>--worker core</c> runs the same orchestrator and activities on DurableTask.Core's own worker and client in
/// process (the SDK's shims, no gRPC, no history shipped per turn). The difference is what the sidecar costs.
/// </summary>
public static class EngineFloorBenchmark
{
    private const string Orchestrator = nameof(FloorLifecycle);
    private const string Step = nameof(FloorStep);

    public static async Task<int> RunAsync(string[] args)
    {
        var worker = Option(args, "--worker") ?? "sidecar";
        var count = int.Parse(Option(args, "--count") ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
        var warmup = int.Parse(Option(args, "--warmup") ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
        await using IFloorEngine engine = worker switch
        {
            "sidecar" => await SidecarEngine.StartAsync(),
            "core" => await CoreEngine.StartAsync(),
            _ => throw new ArgumentException($"--worker must be sidecar or core, not '{worker}'."),
        };

        await RunBatchAsync(engine, "warm", warmup);
        var cpu = ProcessCpu.OfThisProcess();
        var clock = Stopwatch.StartNew();
        var completed = await RunBatchAsync(engine, "run", count);
        clock.Stop();
        cpu = ProcessCpu.OfThisProcess() - cpu;

        var result = new
        {
            worker,
            lifecycles = count,
            completed,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            lifecyclesPerSecond = Math.Round(count / clock.Elapsed.TotalSeconds, 1),
            cores = Environment.ProcessorCount,
            cpuMsPerLifecycle = Math.Round(cpu.TotalMilliseconds / count, 2),
            warmup,
            loadAverage = ProcessCpu.LoadAverage(),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return completed == count ? 0 : 1;
    }

    /// <summary>Starts <paramref name="count"/> lifecycles at once and waits until the engine has completed all.</summary>
    private static async Task<int> RunBatchAsync(IFloorEngine engine, string tag, int count)
    {
        FloorStep.Ended = 0;
        var ids = Enumerable.Range(0, count).Select(i => $"{tag}-{i}").ToArray();
        await Task.WhenAll(ids.Select(id => engine.StartAsync(id, Input(id))));

        // The last activity counts itself; one turn later the orchestration completes. Only then ask the engine
        // (a handful of queries, not one per instance every few milliseconds, which would cost more than the work).
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (Volatile.Read(ref FloorStep.Ended) < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var completed = 0;
        while (DateTime.UtcNow < deadline)
        {
            completed = await engine.CountCompletedAsync(ids);
            if (completed == count)
            {
                break;
            }

            await Task.Delay(50);
        }

        return completed;
    }

    private static LeaseLifecycleInput Input(string id) => new(
        id,
        "bench",
        new LeaseRequest(
            "H100", GpuDemand.Whole(1), 1, 1, 0m, LeaseClass.OnDemand, LeasePool.Leasing, LeasePurpose.Inference,
            "singapore", null, null, PreemptionAction.End, null),
        DateTimeOffset.UtcNow,
        new LeaseTimings(
            TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10),
            TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)));

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private interface IFloorEngine : IAsyncDisposable
    {
        Task StartAsync(string instanceId, LeaseLifecycleInput input);

        Task<int> CountCompletedAsync(IReadOnlyList<string> instanceIds);
    }

    /// <summary>The standalone runtime's wiring: <see cref="DurableEngine"/> and the SDK's gRPC worker and client.</summary>
    private sealed class SidecarEngine(DurableEngine engine, IHost host, DurableTaskClient client) : IFloorEngine
    {
        public static async Task<SidecarEngine> StartAsync()
        {
            var engine = await DurableEngine.StartAsync(
                new DurableOptions { Backend = "InMemory" }, "UseDevelopmentStorage=true", NullLoggerFactory.Instance);
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddDurableTaskWorker(w =>
            {
                w.UseGrpc(engine.Channel);
                w.AddTasks(r => r.AddOrchestrator<FloorLifecycle>().AddActivity<FloorStep>());
            });
            builder.Services.AddDurableTaskClient(c => c.UseGrpc(engine.Channel));
            var host = builder.Build();
            await host.StartAsync();
            return new SidecarEngine(engine, host, host.Services.GetRequiredService<DurableTaskClient>());
        }

        public Task StartAsync(string instanceId, LeaseLifecycleInput input) =>
            client.ScheduleNewOrchestrationInstanceAsync(Orchestrator, input, new StartOrchestrationOptions(instanceId));

        public async Task<int> CountCompletedAsync(IReadOnlyList<string> instanceIds)
        {
            var query = new OrchestrationQuery
            {
                Statuses = [OrchestrationRuntimeStatus.Completed],
                PageSize = 1000,
                FetchInputsAndOutputs = false,
            };
            var wanted = instanceIds.ToHashSet(StringComparer.Ordinal);
            var completed = 0;
            await foreach (var state in client.GetAllInstancesAsync(query))
            {
                completed += wanted.Contains(state.InstanceId) ? 1 : 0;
            }

            return completed;
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
            await engine.DisposeAsync();
        }
    }

    /// <summary>DurableTask.Core's <see cref="TaskHubWorker"/> and <see cref="TaskHubClient"/> on the same backend.</summary>
    private sealed class CoreEngine(TaskHubWorker worker, TaskHubClient client) : IFloorEngine
    {
        public static async Task<CoreEngine> StartAsync()
        {
            var service = new ConcurrentInMemoryOrchestrationService(NullLoggerFactory.Instance, 1000, 1000);
            var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions(), NullLoggerFactory.Instance);
            var worker = new TaskHubWorker(service, NullLoggerFactory.Instance);
            worker.AddTaskOrchestrations(new Creator<TaskOrchestration>(
                Orchestrator, () => shims.CreateOrchestration(Orchestrator, new FloorLifecycle(), parent: null)));
            worker.AddTaskActivities(new Creator<TaskActivity>(Step, () => shims.CreateActivity(Step, new FloorStep())));
            await worker.StartAsync();
            return new CoreEngine(worker, new TaskHubClient(service, new SdkJson(), NullLoggerFactory.Instance));
        }

        public Task StartAsync(string instanceId, LeaseLifecycleInput input) =>
            client.CreateOrchestrationInstanceAsync(Orchestrator, string.Empty, instanceId, input);

        public async Task<int> CountCompletedAsync(IReadOnlyList<string> instanceIds)
        {
            var states = await Task.WhenAll(instanceIds.Select(id => client.GetOrchestrationStateAsync(id)));
            return states.Count(s => s?.OrchestrationStatus == OrchestrationStatus.Completed);
        }

        public async ValueTask DisposeAsync() => await worker.StopAsync(isForced: true);
    }

    /// <summary>One orchestration or activity per call: the shims keep per-instance state.</summary>
    private sealed class Creator<T> : ObjectCreator<T>
    {
        private readonly Func<T> create;

        public Creator(string name, Func<T> create)
        {
            Name = name;
            Version = string.Empty;
            this.create = create;
        }

        public override T Create() => create();
    }

    /// <summary>The client writes inputs as the SDK's shims read them (System.Text.Json), not as Core's Newtonsoft default.</summary>
    private sealed class SdkJson : DurableTask.Core.Serializing.DataConverter
    {
        public override string Serialize(object value) => JsonDataConverter.Default.Serialize(value)!;

        public override string Serialize(object value, bool formatted) => Serialize(value);

        public override object Deserialize(string data, Type objectType) => JsonDataConverter.Default.Deserialize(data, objectType)!;
    }
}

/// <summary>The lifecycle's durable shape with nothing behind it: reserve, start, end.</summary>
public sealed class FloorLifecycle : TaskOrchestrator<LeaseLifecycleInput, LeaseOutcome>
{
    public override async Task<LeaseOutcome> RunAsync(TaskOrchestrationContext context, LeaseLifecycleInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var cancel = context.WaitForExternalEvent<string>(LeaseEvents.Cancel);
        await context.CallActivityAsync<FloorStepResult>(nameof(FloorStep), new FloorStepInput(input.LeaseId, "reserve", false));
        await context.CallActivityAsync<FloorStepResult>(nameof(FloorStep), new FloorStepInput(input.LeaseId, "start", false));
        var ended = await context.CallActivityAsync<FloorStepResult>(nameof(FloorStep), new FloorStepInput(input.LeaseId, "end", true));
        return new LeaseOutcome(cancel.IsCompleted ? LeaseStatus.Released : LeaseStatus.Expired, null, ended.Charged);
    }
}

public sealed record FloorStepInput(string LeaseId, string Step, bool Last);

public sealed record FloorStepResult(string LeaseId, string Step, decimal Charged);

public sealed class FloorStep : Microsoft.DurableTask.TaskActivity<FloorStepInput, FloorStepResult>
{
    /// <summary>Lifecycles whose last step has run.</summary>
    internal static int Ended;

    public override Task<FloorStepResult> RunAsync(TaskActivityContext context, FloorStepInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Last)
        {
            Interlocked.Increment(ref Ended);
        }

        return Task.FromResult(new FloorStepResult(input.LeaseId, input.Step, 0m));
    }
}
