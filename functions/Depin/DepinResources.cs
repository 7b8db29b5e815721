using System.Globalization;
using Aisto.Orchestrations.Depin;

namespace Aisto.Functions.Depin;

/// <summary>The JSON shapes of ../API.md §DePIN.</summary>
public static class DepinResources
{
    public static object Project(DepinProject p, DepinProjectStats? stats = null) => new
    {
        projectId = p.ProjectId,
        name = p.Name,
        priority = p.Priority,
        rewardPerGpuHour = p.RewardPerGpuHour,
        maxGpus = p.MaxGpus,
        createdAt = p.CreatedAt,
        stats = stats is null ? null : new
        {
            tasks = new { queued = stats.Queued, running = stats.Running, completed = stats.Completed, failed = stats.Failed },
            gpuSeconds = stats.GpuSeconds.ToString("0.000", CultureInfo.InvariantCulture),
            rewardsAccrued = stats.RewardsAccrued,
        },
    };

    public static object Task(DepinTaskRecord t) => new
    {
        taskId = t.TaskId,
        projectId = t.ProjectId,
        status = t.Status.ToString(),
        placement = t.Placement is not { } at ? null : new
        {
            region = at.Region,
            node = at.NodeId,
            gpuModel = at.GpuModel,
            gpus = at.TotalGpuMilli / 1000m,
            pledgeId = at.PledgeId,
            contributor = at.Contributor,
        },
        gpuSeconds = t.GpuSeconds.ToString("0.000", CultureInfo.InvariantCulture),
        reward = t.Reward,
        failureReason = t.FailureReason,
        receivedAt = t.ReceivedAt,
        endedAt = t.EndedAt,
    };

    public static object Pledge(DepinPledge p) => new
    {
        pledgeId = p.PledgeId,
        leaseId = p.LeaseId,
        projectId = p.ProjectId,
        gpuCount = p.GpuCount,
        payoutAddress = p.PayoutAddress,
        status = p.IsActive ? "Active" : "Ended",
        createdAt = p.CreatedAt,
        endedAt = p.EndedAt,
        runningTasks = p.Holders.Count,
    };
}
