using System.Globalization;
using System.Numerics;
using Aisto.Domain.Depin;
using Aisto.Domain.Leases;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Results;

namespace Aisto.Orchestrations.Depin;

/// <summary>What operators and tenants can do with DePIN: projects, pledges, and reading tasks.</summary>
public sealed class DepinCommands(IDepinStore store, ILeaseStore leases, TimeProvider clock)
{
    public async Task<CommandResult<DepinProject>> CreateProjectAsync(
        string projectId, string name, int priority, BigInteger rewardPerGpuHour, int maxGpus, CancellationToken cancellationToken)
    {
        var project = new DepinProject(
            projectId, name, priority, rewardPerGpuHour.ToString(CultureInfo.InvariantCulture), maxGpus, clock.GetUtcNow());
        if (!await store.TryCreateProjectAsync(project, cancellationToken))
        {
            var existing = await store.GetProjectAsync(projectId, cancellationToken);
            return existing is not null && existing with { CreatedAt = project.CreatedAt } == project
                ? existing
                : CommandResult<DepinProject>.Conflict($"A different project '{projectId}' exists.");
        }

        return project;
    }

    /// <summary>Every project with its task counts, GPU-seconds and rewards so far.</summary>
    public async Task<IReadOnlyList<DepinProjectStats>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        var tasks = (await store.ListTaskSummariesAsync(cancellationToken)).ToLookup(t => t.ProjectId, StringComparer.Ordinal);
        return [.. (await store.ListProjectsAsync(cancellationToken))
            .OrderBy(p => p.ProjectId, StringComparer.Ordinal)
            .Select(p =>
            {
                var mine = tasks[p.ProjectId].ToList();
                return new DepinProjectStats(
                    p,
                    mine.Count(t => t.Status == DepinTaskStatus.Queued),
                    mine.Count(t => t.Status == DepinTaskStatus.Running),
                    mine.Count(t => t.Status == DepinTaskStatus.Completed),
                    mine.Count(t => t.Status == DepinTaskStatus.Failed),
                    mine.Sum(t => t.GpuSeconds),
                    mine.Aggregate(BigInteger.Zero, (sum, t) => sum + BigInteger.Parse(t.Reward, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture));
            })];
    }

    public async Task<CommandResult<DepinTaskRecord>> GetTaskAsync(string taskId, CancellationToken cancellationToken)
    {
        var task = DepinTaskMessage.IsValidId(taskId) ? await store.GetTaskAsync(taskId, cancellationToken) : null;
        return task is null ? CommandResult<DepinTaskRecord>.NotFound($"No DePIN task '{taskId}'.") : task;
    }

    /// <summary>A tenant lends <paramref name="gpuCount"/> GPUs of its own Active lease to a project.</summary>
    public async Task<CommandResult<DepinPledge>> CreatePledgeAsync(
        string tenantId, string leaseId, string projectId, int gpuCount, string payoutAddress, CancellationToken cancellationToken)
    {
        var lease = await leases.GetAsync(tenantId, leaseId, cancellationToken);
        if (lease is null)
        {
            return CommandResult<DepinPledge>.NotFound($"No lease '{leaseId}'.");
        }

        if (await store.GetProjectAsync(projectId, cancellationToken) is null)
        {
            return CommandResult<DepinPledge>.Invalid("projectId", $"No DePIN project '{projectId}'.");
        }

        if (lease.Status != LeaseStatus.Active)
        {
            return CommandResult<DepinPledge>.Conflict($"Only an Active lease can be pledged; this one is {lease.Status}.");
        }

        var pledged = (await store.ListPledgesAsync(null, cancellationToken))
            .Where(p => p.Pledge.IsActive && p.Pledge.LeaseId == leaseId)
            .Sum(p => p.Pledge.GpuCount);
        var available = lease.Request.Gpu.IsFractional ? 0 : lease.Request.Gpu.WholeGpus - pledged;
        if (gpuCount > available)
        {
            return CommandResult<DepinPledge>.Invalid(
                "gpuCount", $"The lease has {available} whole GPUs left to pledge ({pledged} pledged already).");
        }

        var pledge = new DepinPledge(
            "plg_" + Guid.NewGuid().ToString("N")[..24], tenantId, leaseId, projectId, gpuCount, payoutAddress,
            clock.GetUtcNow(), null, new Dictionary<string, int>(StringComparer.Ordinal));
        await store.CreatePledgeAsync(pledge, cancellationToken);
        return pledge;
    }

    /// <summary>Ends a tenant's pledge: no new tasks go there; tasks running on it finish.</summary>
    public async Task<CommandResult<DepinPledge>> EndPledgeAsync(string tenantId, string pledgeId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = await store.FindPledgeAsync(pledgeId, cancellationToken);
            if (found is null || found.Pledge.TenantId != tenantId)
            {
                return CommandResult<DepinPledge>.NotFound($"No pledge '{pledgeId}'.");
            }

            if (!found.Pledge.IsActive)
            {
                return found.Pledge;
            }

            var ended = found.Pledge with { EndedAt = clock.GetUtcNow() };
            if (await store.TryReplacePledgeAsync(found, ended, cancellationToken))
            {
                return ended;
            }
        }
    }
}
