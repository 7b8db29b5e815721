using System.Collections.Immutable;
using System.Text.Json;
using Aisto.Domain.Scheduling;
using Aisto.Infrastructure.Json;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Regions;

/// <summary>
/// The booking sheet in Azure Tables: table <c>inventory</c>, PK region, one row per node holding its capacity and
/// every allocation on it. Writes carry the ETag they read (If-Match), so two bookings of one GPU cannot both win.
/// </summary>
public sealed class TableInventoryStore : IInventoryStore
{
    private const string Table = "inventory";

    private readonly AistoTables tables;
    private readonly IRegionDirectory regions;

    /// <summary>The nodes as this process last read them, with its own writes applied (see <see cref="ViewNodesAsync"/>).</summary>
    private readonly PartitionMirror<NodeVersion> view;

    public TableInventoryStore(AistoTables tables, IRegionDirectory regions, IOptions<LeaseOptions>? options = null, TimeProvider? clock = null)
    {
        this.tables = tables;
        this.regions = regions;
        var maxAge = options?.Value.QueueViewMaxAge ?? new LeaseOptions().QueueViewMaxAge;
        view = new PartitionMirror<NodeVersion>(
            async ct => [.. (await ListNodesAsync(ct)).Select(n => KeyValuePair.Create(Key(n.Node), n))], maxAge, maxAge * 10, clock);
    }

    public async Task<IReadOnlyList<RegionSnapshot>> SnapshotAsync(CancellationToken cancellationToken = default) =>
        InventorySnapshots.ToRegions(await ListNodesAsync(cancellationToken), regions.Regions, regions.IsUp);

    public async Task EnsureNodeAsync(NodeState node, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        try
        {
            var added = await table.AddEntityAsync(ToEntity(node), cancellationToken);
            view.Apply(Key(node), _ => new NodeVersion(node, added.Headers.ETag.ToString() ?? string.Empty));
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Already there: its bookings are the truth, keep them.
        }
    }

    public async Task<bool> TryReplaceAsync(NodeVersion expected, NodeState updated, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        try
        {
            var written = await table.UpdateEntityAsync(ToEntity(updated, expected.Cordoned), new ETag(expected.ETag), TableUpdateMode.Replace, cancellationToken);
            view.Apply(Key(updated), _ => new NodeVersion(updated, written.Headers.ETag.ToString() ?? string.Empty, expected.Cordoned));
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 409)
        {
            return false;
        }
    }

    public async Task<NodeVersion?> GetNodeAsync(string region, string nodeId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(region, nodeId, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } entity ? FromEntity(entity) : null;
    }

    public async Task<IReadOnlyList<NodeVersion>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var nodes = new List<NodeVersion>();
        await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            nodes.Add(FromEntity(entity));
        }

        return nodes;
    }

    public Task<IReadOnlyList<NodeVersion>> ViewNodesAsync(CancellationToken cancellationToken = default) =>
        view.ListAsync(cancellationToken);

    private static string Key(NodeState node) => $"{node.Region}/{node.NodeId}";

    public async Task<bool> TrySetCordonedAsync(NodeVersion expected, bool cordoned, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        try
        {
            var written = await table.UpdateEntityAsync(ToEntity(expected.Node, cordoned), new ETag(expected.ETag), TableUpdateMode.Replace, cancellationToken);
            view.Apply(Key(expected.Node), _ => new NodeVersion(expected.Node, written.Headers.ETag.ToString() ?? string.Empty, cordoned));
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 409 or 404)
        {
            return false;
        }
    }

    public async Task<bool> TryRemoveAsync(NodeVersion expected, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        try
        {
            await table.DeleteEntityAsync(expected.Node.Region, expected.Node.NodeId, new ETag(expected.ETag), cancellationToken);
            view.Apply(Key(expected.Node), _ => null);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    private static TableEntity ToEntity(NodeState node, bool cordoned = false) => new(node.Region, node.NodeId)
    {
        ["Cordoned"] = cordoned,
        ["Model"] = node.Model,
        ["Gpus"] = node.GpuCount,
        ["CpuMilli"] = node.CpuMilli,
        ["MemoryMiB"] = node.MemoryMiB,
        ["Allocations"] = JsonSerializer.Serialize(node.Allocations.Values.OrderBy(a => a.HolderId, StringComparer.Ordinal), AistoJson.Options),
    };

    private static NodeVersion FromEntity(TableEntity e)
    {
        var allocations = JsonSerializer.Deserialize<List<NodeAllocation>>(e.GetString("Allocations") ?? "[]", AistoJson.Options) ?? [];
        var node = new NodeState(
            e.RowKey,
            e.PartitionKey,
            e.GetString("Model"),
            e.GetInt32("Gpus") ?? 0,
            e.GetInt32("CpuMilli") ?? 0,
            e.GetInt64("MemoryMiB") ?? 0,
            allocations.ToImmutableDictionary(a => a.HolderId, StringComparer.Ordinal));
        return new NodeVersion(node, e.ETag.ToString(), e.GetBoolean("Cordoned") ?? false);
    }
}
