using Aisto.Domain.Regions;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Regions;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Regions;

/// <summary>
/// A region simulated in-process: nodes from configuration, workloads kept in table <c>simworkloads</c> (so they
/// survive a restart like a real cluster's would) that run after a configurable provisioning delay. Tests inject
/// failures through <see cref="SimulatedRegionFaults"/>, or over HTTP with the workload env var
/// <c>AISTO_SIMULATE=fail-provision</c>.
/// </summary>
public sealed class SimulatedRegion(
    RegionInfo info,
    IReadOnlyList<RegionNode> nodes,
    TimeSpan provisioningDelay,
    AistoTables tables,
    SimulatedRegionFaults faults,
    TimeProvider clock) : IRegion
{
    public const string SimulateEnvVar = "AISTO_SIMULATE";
    private const string Table = "simworkloads";

    public RegionInfo Info => info;

    public async Task ProvisionAsync(WorkloadSpec spec, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfUnreachable(info.Id);
        var table = await tables.GetAsync(Table, cancellationToken);
        var now = clock.GetUtcNow();
        var failure = faults.ProvisionFailureFor(info.Id, spec)
            ?? (spec.Workload?.Env.TryGetValue(SimulateEnvVar, out var mode) == true && mode == "fail-provision"
                ? "simulated image pull failure" : null);
        var row = new TableEntity(info.Id, spec.LeaseId)
        {
            ["NodeId"] = spec.NodeId,
            ["ReadyAt"] = now + provisioningDelay,
            ["FailureReason"] = failure,
        };
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Created before: provisioning is idempotent.
        }
    }

    public async Task<WorkloadState> GetWorkloadStateAsync(string leaseId, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfUnreachable(info.Id);
        var table = await tables.GetAsync(Table, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(info.Id, leaseId, cancellationToken: cancellationToken);
        if (!row.HasValue || row.Value is not { } entity)
        {
            return new WorkloadState(WorkloadPhase.NotFound);
        }

        if (entity.GetString("FailureReason") is { } reason)
        {
            return new WorkloadState(WorkloadPhase.Failed, reason);
        }

        return entity.GetDateTimeOffset("ReadyAt") <= clock.GetUtcNow()
            ? new WorkloadState(WorkloadPhase.Running)
            : new WorkloadState(WorkloadPhase.Pending);
    }

    public async Task TeardownAsync(string leaseId, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfUnreachable(info.Id);
        var table = await tables.GetAsync(Table, cancellationToken);
        try
        {
            await table.DeleteEntityAsync(info.Id, leaseId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone.
        }
    }

    public Task<IReadOnlyList<RegionNode>> ListNodesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(nodes);

    /// <summary>One fixed pool per GPU model (the simulated fleet does not scale in this adapter).</summary>
    public Task<IReadOnlyList<NodePoolStatus>> ListNodePoolsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<NodePoolStatus>>([.. nodes
            .GroupBy(n => n.GpuModel, StringComparer.OrdinalIgnoreCase)
            .Select(g => new NodePoolStatus(
                $"{info.Id}-{g.Key.ToLowerInvariant()}", g.Key, g.First().Gpus, g.Count(), g.Count(), g.Count(), g.Count()))]);

    /// <summary>A fixed fleet: scaling changes nothing.</summary>
    public Task ScaleNodePoolAsync(NodePoolScaleRequest request, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
