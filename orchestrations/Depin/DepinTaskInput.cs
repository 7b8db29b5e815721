using Aisto.Domain.Depin;

namespace Aisto.Orchestrations.Depin;

/// <summary>
/// Input of <see cref="DepinTaskOrchestrator"/> (instance id = task id). <see cref="RewardPerGpuHour"/> is the
/// project's rate when the task arrived; <see cref="Attempt"/> and <see cref="Enqueued"/> carry progress across
/// ContinueAsNew, and so do the runs a preemption cut short: <see cref="Run"/> (runs so far), the GPU-time they
/// delivered and the reward accrued for them.
/// </summary>
public sealed record DepinTaskInput(
    DepinTaskSpec Spec,
    DateTimeOffset ReceivedAt,
    string RewardPerGpuHour,
    DepinTaskTimings Timings,
    int Attempt = 1,
    bool Enqueued = false,
    int Run = 0,
    long DeliveredGpuMilliSeconds = 0,
    string RewardBefore = "0");

/// <summary>How a task ended.</summary>
public sealed record DepinTaskOutcome(DepinTaskStatus Status, decimal GpuSeconds, string Reward, string? FailureReason);

/// <summary>The failure reasons a task can end with.</summary>
public static class DepinFailureReasons
{
    public const string NoCapacity = "NoCapacity";
    public const string ProvisioningFailed = "ProvisioningFailed";
    public const string ProvisioningTimeout = "ProvisioningTimeout";

    /// <summary>Not an end: a pool took back the quota the task borrowed, and it was queued again.</summary>
    public const string Preempted = "Preempted";
}

/// <summary>Events between task orchestrations.</summary>
public static class DepinEvents
{
    /// <summary>A cycle run by another task admitted this one: its booking is ready.</summary>
    public const string Admitted = "DepinAdmitted";
}
