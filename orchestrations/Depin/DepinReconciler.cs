using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Depin;

/// <summary>What one reconcile pass did.</summary>
public sealed record DepinReconcileResult(int Open, int Started, int Restarted);

/// <summary>
/// Gives every open DePIN task (Queued or Running) whose orchestration is gone a new one: a task stored by a
/// delivery that crashed before it scheduled the orchestration (no instance), or one whose orchestration ended
/// without ending the task (Failed, Terminated). The instance id is the task id, so the new orchestration takes
/// over the task's queue entry or booking. It is the only starter besides the delivery that stored the task, and
/// it waits <see cref="DepinOptions.ReconcileMinimumAge"/> after the task arrived, so the two never race; a task is
/// re-read after its instance, so a task that ended meanwhile is never started again.
/// </summary>
public sealed class DepinReconciler(IDepinStore store, IOptions<DepinOptions> options, TimeProvider clock, ILogger<DepinReconciler> logger)
{
    public async Task<DepinReconcileResult> ReconcileAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var cutoff = clock.GetUtcNow() - options.Value.ReconcileMinimumAge;
        var open = await store.ListOpenTasksAsync(cancellationToken);
        int started = 0, restarted = 0;
        foreach (var task in open.Where(t => t.ReceivedAt <= cutoff))
        {
            var instance = await durable.GetInstanceAsync(task.TaskId, getInputsAndOutputs: false, cancellationToken);
            if (instance is not null && !instance.RuntimeStatus.IsOver())
            {
                continue; // Alive (pending, running, suspended): it owns the task.
            }

            // The orchestration is gone or over; an over one writes nothing any more, so the task as read now is
            // final unless we start one. (Read after the instance: a task that ended just before is seen ended.)
            if (await store.GetTaskAsync(task.TaskId, cancellationToken) is not { Spec: { } spec } current || current.Status.IsEnded())
            {
                continue;
            }

            if (await store.GetProjectAsync(spec.ProjectId, cancellationToken) is not { } project)
            {
                logger.LogError("DePIN task {TaskId} has no project '{ProjectId}'; not restarted", task.TaskId, spec.ProjectId);
                continue;
            }

            if (instance is not null)
            {
                // Its history goes; the task row, queue entry, booking and ledger stay and are picked up again.
                await durable.PurgeInstanceAsync(task.TaskId, options: null, cancellation: cancellationToken);
            }

            var input = new DepinTaskInput(spec, current.ReceivedAt, project.RewardPerGpuHour, options.Value.ToTimings());
            try
            {
                await durable.ScheduleNewOrchestrationInstanceAsync(
                    nameof(DepinTaskOrchestrator), input, new StartOrchestrationOptions(task.TaskId), cancellationToken);
            }
            catch (Exception ex) when (ex.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
            {
                continue; // Started by someone else after all.
            }

            logger.LogWarning(
                "DePIN task {TaskId} ({Status}) had {What}; its orchestration was started again",
                task.TaskId, current.Status, instance is null ? "no orchestration" : $"a {instance.RuntimeStatus} orchestration");
            if (instance is null)
            {
                started++;
            }
            else
            {
                restarted++;
            }
        }

        return new DepinReconcileResult(open.Count, started, restarted);
    }
}

/// <summary>Status helpers for reconciling.</summary>
public static class DepinReconcileStatus
{
    /// <summary>The orchestration will never run again.</summary>
    public static bool IsOver(this OrchestrationRuntimeStatus status) =>
        status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;

    /// <summary>The task has its final state and is never run again.</summary>
    public static bool IsEnded(this Aisto.Domain.Depin.DepinTaskStatus status) =>
        status is Aisto.Domain.Depin.DepinTaskStatus.Completed or Aisto.Domain.Depin.DepinTaskStatus.Failed or Aisto.Domain.Depin.DepinTaskStatus.Rejected;
}
