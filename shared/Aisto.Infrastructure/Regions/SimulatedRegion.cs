using Aisto.Domain.Regions;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Regions;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Regions;

/// <summary>
/// A region simulated in-process: node pools from configuration, workloads kept in table <c>simworkloads</c> (so they
/// survive a restart like a real cluster's would) that run after a configurable provisioning delay. Nodes live in
/// table <c>simnodes</c> (PK region, RK node id; seeded once per pool from configuration, recorded in
/// <c>simpools</c> with the next node number) so scaling survives restarts; a node asked for is ready after the node
/// provisioning delay and only then listed. Tests inject failures through <see cref="SimulatedRegionFaults"/>, or
/// over HTTP with the workload env var <c>AISTO_SIMULATE=fail-provision</c>.
/// </summary>
public sealed class SimulatedRegion(
    RegionInfo info,
    IReadOnlyList<NodePoolOptions> pools,
    TimeSpan provisioningDelay,
    TimeSpan nodeProvisioningDelay,
    AistoTables tables,
    SimulatedRegionFaults faults,
    TimeProvider clock) : IRegion
{
    public const string SimulateEnvVar = "AISTO_SIMULATE";
    private const string Table = "simworkloads";
    private const string NodesTable = "simnodes";
    private const string PoolsTable = "simpools";

    private readonly SemaphoreSlim seeding = new(1, 1);
    private bool seeded;

    public RegionInfo Info => info;

    public async Task<WorkloadState> ProvisionAsync(WorkloadSpec spec, CancellationToken cancellationToken = default)
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
            // Created before: provisioning is idempotent, and the phase is that of the workload already there.
            return await GetWorkloadStateAsync(spec.LeaseId, cancellationToken);
        }

        // The row just written is the workload (its rows never change once written): no need to read it back.
        return StateOf(row);
    }

    public async Task<WorkloadState> GetWorkloadStateAsync(string leaseId, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfUnreachable(info.Id);
        var table = await tables.GetAsync(Table, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(info.Id, leaseId, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } entity ? StateOf(entity) : new WorkloadState(WorkloadPhase.NotFound);
    }

    private WorkloadState StateOf(TableEntity workload)
    {
        if (workload.GetString("FailureReason") is { } reason)
        {
            return new WorkloadState(WorkloadPhase.Failed, reason);
        }

        return workload.GetDateTimeOffset("ReadyAt") <= clock.GetUtcNow()
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

    public async Task<IReadOnlyList<RegionNode>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        return [.. (await ReadNodesAsync(cancellationToken)).Where(n => n.ReadyAt <= now).Select(n => n.Node)];
    }

    public async Task<IReadOnlyList<NodePoolStatus>> ListNodePoolsAsync(CancellationToken cancellationToken = default)
    {
        faults.ThrowIfUnreachable(info.Id);
        var now = clock.GetUtcNow();
        var nodes = await ReadNodesAsync(cancellationToken);
        return [.. pools.Select(pool =>
        {
            var mine = nodes.Where(n => n.PoolId == PoolIdOf(pool)).ToList();
            return new NodePoolStatus(
                PoolIdOf(pool), pool.Model, pool.GpusPerNode, mine.Count(n => n.ReadyAt <= now), mine.Count,
                pool.MinNodesOrDefault(), pool.MaxNodesOrDefault());
        })];
    }

    /// <summary>
    /// Removes the named nodes of the pool (the caller has drained them), then adds nodes up to
    /// <see cref="NodePoolScaleRequest.DesiredNodes"/> (at most the pool's maximum), ready after the node provisioning
    /// delay; when the pool still has more than desired, the newest nodes not yet ready are cancelled — ready nodes
    /// are only ever removed by name. Asking again for the same changes nothing.
    /// </summary>
    public async Task ScaleNodePoolAsync(NodePoolScaleRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        faults.ThrowIfUnreachable(info.Id);
        var pool = pools.FirstOrDefault(p => string.Equals(PoolIdOf(p), request.PoolId, StringComparison.Ordinal))
            ?? throw new ArgumentException($"Region {info.Id} has no node pool '{request.PoolId}'.", nameof(request));
        var table = await tables.GetAsync(NodesTable, cancellationToken);
        var nodes = (await ReadNodesAsync(cancellationToken)).Where(n => n.PoolId == request.PoolId).ToList();

        // 1. give back the named nodes
        var remove = request.NodesToRemove.ToHashSet(StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => remove.Contains(n.Node.NodeId)))
        {
            await DeleteNodeAsync(table, node.Node.NodeId, cancellationToken);
        }

        nodes.RemoveAll(n => remove.Contains(n.Node.NodeId));
        var desired = Math.Clamp(request.DesiredNodes, 0, pool.MaxNodesOrDefault());
        var now = clock.GetUtcNow();

        // 2. ask for the missing nodes, numbered on from the last one ever made so no id is reused
        if (nodes.Count < desired)
        {
            foreach (var index in await ReserveNodeNumbersAsync(pool, desired - nodes.Count, cancellationToken))
            {
                await table.UpsertEntityAsync(NodeEntity(pool, index, now + nodeProvisioningDelay), TableUpdateMode.Replace, cancellationToken);
            }
        }

        // 3. too many: cancel nodes still on their way, newest first
        foreach (var node in nodes.Where(n => n.ReadyAt > now).OrderByDescending(n => n.ReadyAt).Take(Math.Max(0, nodes.Count - desired)))
        {
            await DeleteNodeAsync(table, node.Node.NodeId, cancellationToken);
        }
    }

    private static string PoolIdOf(NodePoolOptions pool) => pool.Model.ToLowerInvariant();

    private string NodeIdOf(NodePoolOptions pool, int index) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{info.Id}-{pool.Model.ToLowerInvariant()}-{index:D2}");

    private TableEntity NodeEntity(NodePoolOptions pool, int index, DateTimeOffset readyAt) => new(info.Id, NodeIdOf(pool, index))
    {
        ["PoolId"] = PoolIdOf(pool),
        ["Model"] = pool.Model,
        ["Gpus"] = pool.GpusPerNode,
        ["CpuMilli"] = pool.CpuCores * 1000,
        ["MemoryMiB"] = pool.MemoryGiB * 1024L,
        ["ReadyAt"] = readyAt,
    };

    private async Task<List<SimNode>> ReadNodesAsync(CancellationToken cancellationToken)
    {
        await EnsureSeededAsync(cancellationToken);
        var table = await tables.GetAsync(NodesTable, cancellationToken);
        var nodes = new List<SimNode>();
        // A filter string, not a lambda: the SDK compiles a lambda's captured values on every call.
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {info.Id}"), cancellationToken: cancellationToken))
        {
            nodes.Add(new SimNode(
                e.GetString("PoolId") ?? "",
                new RegionNode(e.RowKey, e.GetString("Model") ?? "", e.GetInt32("Gpus") ?? 0, e.GetInt32("CpuMilli") ?? 0, e.GetInt64("MemoryMiB") ?? 0),
                e.GetDateTimeOffset("ReadyAt") ?? DateTimeOffset.MinValue));
        }

        return nodes;
    }

    /// <summary>
    /// Writes each configured pool's starting nodes once (ready at once); the pool row, written last, says it was
    /// done, so nodes the autoscaler removed later do not come back on a restart.
    /// </summary>
    private async Task EnsureSeededAsync(CancellationToken cancellationToken)
    {
        if (seeded)
        {
            return;
        }

        await seeding.WaitAsync(cancellationToken);
        try
        {
            var poolTable = await tables.GetAsync(PoolsTable, cancellationToken);
            var nodeTable = await tables.GetAsync(NodesTable, cancellationToken);
            foreach (var pool in pools)
            {
                var row = await poolTable.GetEntityIfExistsAsync<TableEntity>(info.Id, PoolIdOf(pool), cancellationToken: cancellationToken);
                if (row.HasValue)
                {
                    continue;
                }

                for (var i = 1; i <= pool.Nodes; i++)
                {
                    try
                    {
                        await nodeTable.AddEntityAsync(NodeEntity(pool, i, DateTimeOffset.UnixEpoch), cancellationToken);
                    }
                    catch (RequestFailedException ex) when (ex.Status == 409)
                    {
                        // Seeded by an earlier, interrupted start.
                    }
                }

                try
                {
                    await poolTable.AddEntityAsync(new TableEntity(info.Id, PoolIdOf(pool)) { ["NextIndex"] = pool.Nodes + 1 }, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // Another process seeded it.
                }
            }

            seeded = true;
        }
        finally
        {
            seeding.Release();
        }
    }

    /// <summary>Takes <paramref name="count"/> fresh node numbers from the pool row (ETag-guarded, so never twice).</summary>
    private async Task<IReadOnlyList<int>> ReserveNodeNumbersAsync(NodePoolOptions pool, int count, CancellationToken cancellationToken)
    {
        var poolTable = await tables.GetAsync(PoolsTable, cancellationToken);
        while (true)
        {
            var row = (await poolTable.GetEntityAsync<TableEntity>(info.Id, PoolIdOf(pool), cancellationToken: cancellationToken)).Value;
            var next = row.GetInt32("NextIndex") ?? pool.Nodes + 1;
            row["NextIndex"] = next + count;
            try
            {
                await poolTable.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                return [.. Enumerable.Range(next, count)];
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Someone else took numbers first: read again.
            }
        }
    }

    private async Task DeleteNodeAsync(TableClient table, string nodeId, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(info.Id, nodeId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone.
        }
    }

    private sealed record SimNode(string PoolId, RegionNode Node, DateTimeOffset ReadyAt);
}
