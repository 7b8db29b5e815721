using Aisto.Domain.Depin;

namespace Aisto.Orchestrations.Depin;

/// <summary>
/// Where a task runs: a node of the DePIN pool, or GPUs a tenant pledged from its lease (then <see cref="PledgeId"/>
/// is set and rewards go to <see cref="Contributor"/>, the pledge's payout address; else to the platform).
/// </summary>
public sealed record DepinPlacement(
    string Region,
    string NodeId,
    string GpuModel,
    IReadOnlyList<int> GpuIndices,
    int MilliPerGpu,
    string? PledgeId,
    string Contributor)
{
    public const string Platform = "platform";

    public int TotalGpuMilli => GpuIndices.Count * MilliPerGpu;
}

/// <summary>The stored state of one DePIN task, as <c>GET /api/depin/tasks/{taskId}</c> shows it.</summary>
public sealed record DepinTaskRecord(
    string TaskId,
    string ProjectId,
    DepinTaskStatus Status,
    DepinTaskSpec? Spec,
    string Fingerprint,
    DepinPlacement? Placement,
    decimal GpuSeconds,
    string Reward,
    string? FailureReason,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? EndedAt);

/// <summary>A change of a task's visible state; null fields are left as they are.</summary>
public sealed record DepinTaskTransition(
    string TaskId,
    DepinTaskStatus Status,
    DepinPlacement? Placement = null,
    decimal? GpuSeconds = null,
    string? Reward = null,
    string? FailureReason = null,
    DateTimeOffset? EndedAt = null)
{
    /// <summary>The task after this change; a task that ended keeps its end (a late duplicate of a step cannot reopen it).</summary>
    public DepinTaskRecord ApplyTo(DepinTaskRecord task) => task.Status is DepinTaskStatus.Completed or DepinTaskStatus.Failed or DepinTaskStatus.Rejected ? task : task with
    {
        Status = Status,
        Placement = Placement ?? task.Placement,
        GpuSeconds = GpuSeconds ?? task.GpuSeconds,
        Reward = Reward ?? task.Reward,
        FailureReason = FailureReason ?? task.FailureReason,
        EndedAt = EndedAt ?? task.EndedAt,
    };
}
