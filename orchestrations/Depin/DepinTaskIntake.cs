using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using Aisto.Domain.Depin;
using Aisto.Domain.Pricing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Depin;

/// <summary>What intake did with one message; the transport maps it to delete/complete or poison/dead-letter.</summary>
public enum IntakeOutcome
{
    /// <summary>A new task: its record is stored and its orchestration scheduled.</summary>
    Started,

    /// <summary>The same task was delivered before: nothing new was started.</summary>
    Duplicate,

    /// <summary>The message cannot be run (invalid, unknown project, over the project's cap): poison / dead-letter it.</summary>
    Rejected,
}

/// <summary>The verdict on one intake message.</summary>
public sealed record IntakeVerdict(IntakeOutcome Outcome, string? TaskId, string? Reason = null);

/// <summary>
/// The one handler behind both intake transports: validates a task message, stores the task (insert-only by task
/// id), puts it in the DePIN dispatch queue and starts its orchestration under the task id, so a message delivered twice starts one task. Invalid
/// messages are rejected with the reason (and, when they name a task id, recorded as Rejected). Storage faults are
/// thrown, so the transport retries the message.
/// </summary>
public sealed class DepinTaskIntake(
    IDepinStore store,
    PriceBook prices,
    IOptions<DepinOptions> options,
    TimeProvider clock,
    ILogger<DepinTaskIntake> logger)
{
    /// <summary>The meter of intake: counter <see cref="VerdictsCounter"/>, tagged <c>outcome</c>.</summary>
    public const string MeterName = "Aisto.Depin";

    public const string VerdictsCounter = "aisto.depin.intake.messages";

    private static readonly Meter IntakeMeter = new(MeterName);
    private static readonly Counter<long> Verdicts = IntakeMeter.CreateCounter<long>(VerdictsCounter, description: "Intake messages by outcome.");

    // Projects are never changed once created: a hit is good forever, a miss is read again. Messages of one project
    // arriving together share one read (a cold start under a flood read the project once per message in flight).
    private readonly ConcurrentDictionary<string, Lazy<Task<DepinProject?>>> projects = new(StringComparer.Ordinal);

    public async Task<IntakeVerdict> AcceptAsync(ReadOnlyMemory<byte> body, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var verdict = await DecideAsync(body, durable, cancellationToken);
        Verdicts.Add(1, new TagList { { "outcome", verdict.Outcome.ToString() } });
        return verdict;
    }

    private async Task<IntakeVerdict> DecideAsync(ReadOnlyMemory<byte> body, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);

        // 1. The message itself.
        var spec = DepinTaskMessage.Parse(body.Span, out var taskId, out var reason);
        if (spec is null)
        {
            return await RejectAsync(taskId, null, reason!, cancellationToken);
        }

        // 2. Against what is configured: the project, its cap, the GPU model.
        var project = await ProjectAsync(spec.ProjectId, cancellationToken);
        reason = project is null ? $"projectId: no project '{spec.ProjectId}'."
            : !prices.Knows(spec.GpuModel) ? $"gpuModel: unknown GPU model '{spec.GpuModel}'."
            : spec.Gpu.TotalMilli > project.MaxGpus * 1000 ? $"gpuCount: the project may use at most {project.MaxGpus} GPUs."
            : null;
        if (reason is not null)
        {
            return await RejectAsync(spec.TaskId, spec.ProjectId, reason, cancellationToken);
        }

        // 3. Store the task once; a second delivery finds it.
        var fingerprint = Fingerprint(spec);
        var received = clock.GetUtcNow();
        var record = new DepinTaskRecord(spec.TaskId, spec.ProjectId, DepinTaskStatus.Queued, spec, fingerprint, null, 0m, "0", null, received, null);
        if (!await store.TryCreateTaskAsync(record, cancellationToken))
        {
            var existing = await store.GetTaskAsync(spec.TaskId, cancellationToken);
            if (existing is not null && existing.Fingerprint != fingerprint)
            {
                // Not a redelivery: another task under the same id. Dead-letter it; the first one stands.
                return new IntakeVerdict(IntakeOutcome.Rejected, spec.TaskId, $"taskId: '{spec.TaskId}' was already used for a different task.");
            }

            // A redelivery starts nothing, even when the task has no orchestration yet: the delivery that stored it
            // may still be scheduling it (two copies received in one batch), and two starts of one instance id can
            // race inside the engine. A task whose first delivery crashed is started by DepinReconciler instead.
            return new IntakeVerdict(IntakeOutcome.Duplicate, spec.TaskId);
        }

        // 4. Into the dispatch queue here rather than as the orchestration's first activity: one activity and one
        //    orchestration turn fewer per task. Insert-only, so a redelivery keeps an entry that was admitted since.
        await store.EnqueueAsync(
            new DispatchEntry(spec.TaskId, spec.ProjectId, spec.GpuModel, spec.Gpu.TotalMilli, spec.CostGpuMilliSeconds, received.UtcTicks, Admitted: false),
            cancellationToken);

        // 5. The orchestration, under the task id: a second start of the same id is refused by the engine.
        var input = new DepinTaskInput(spec, received, project!.RewardPerGpuHour, options.Value.ToTimings(), Enqueued: true);
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(
                nameof(DepinTaskOrchestrator), input, new StartOrchestrationOptions(spec.TaskId), cancellationToken);
        }
        catch (Exception ex) when (ex.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            return new IntakeVerdict(IntakeOutcome.Duplicate, spec.TaskId);
        }

        return new IntakeVerdict(IntakeOutcome.Started, spec.TaskId);
    }

    private async Task<IntakeVerdict> RejectAsync(string? taskId, string? projectId, string reason, CancellationToken cancellationToken)
    {
        logger.LogWarning("DePIN message rejected (task {TaskId}): {Reason}", taskId ?? "?", reason);
        if (taskId is not null)
        {
            // Visible as Rejected with its reason; a valid task stored earlier under this id is left alone.
            var now = clock.GetUtcNow();
            await store.TryCreateTaskAsync(
                new DepinTaskRecord(taskId, projectId ?? "", DepinTaskStatus.Rejected, null, "", null, 0m, "0", reason, now, now),
                cancellationToken);
        }

        return new IntakeVerdict(IntakeOutcome.Rejected, taskId, reason);
    }

    private async Task<DepinProject?> ProjectAsync(string projectId, CancellationToken cancellationToken)
    {
        var read = projects.GetOrAdd(projectId, id => new Lazy<Task<DepinProject?>>(() => store.GetProjectAsync(id, CancellationToken.None)));
        DepinProject? project = null;
        try
        {
            project = await read.Value.WaitAsync(cancellationToken);
            return project;
        }
        finally
        {
            if (project is null)
            {
                // Unknown (or the read failed): forget it, so the next message reads it again.
                projects.TryRemove(KeyValuePair.Create(projectId, read));
            }
        }
    }

    private static string Fingerprint(DepinTaskSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(spec)));
}
