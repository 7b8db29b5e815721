namespace Aisto.Orchestrations.Depin;

/// <summary>A DePIN project: its priority (1–10) for fair share, reward per GPU-hour (token base units) and GPU cap.</summary>
public sealed record DepinProject(
    string ProjectId,
    string Name,
    int Priority,
    string RewardPerGpuHour,
    int MaxGpus,
    DateTimeOffset CreatedAt);

/// <summary>A project with what its tasks have done so far (<c>GET /api/depin/projects</c>).</summary>
public sealed record DepinProjectStats(
    DepinProject Project,
    int Queued,
    int Running,
    int Completed,
    int Failed,
    decimal GpuSeconds,
    string RewardsAccrued);
