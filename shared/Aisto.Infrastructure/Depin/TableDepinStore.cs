using System.Globalization;
using System.Text.Json;
using Aisto.Domain.Depin;
using Aisto.Infrastructure.Json;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Depin;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Depin;

/// <summary>
/// DePIN in Azure Tables: <c>depinprojects</c> (one partition), <c>depintasks</c> (RK task id, PK one of
/// <see cref="TaskBuckets"/> buckets derived from it: point reads and insert-only dedupe by task id, and intake's
/// inserts arriving together share a transaction per bucket), <c>depindispatch</c> (one partition, the tasks queued or holding capacity — the scheduling
/// cycle reads only these), <c>depinfairshare</c> (passes and virtual time) and <c>depinpledges</c> (ETag-guarded).
/// The scheduling cycle and every admission try look at the dispatch queue: they are served from a
/// <see cref="PartitionMirror{T}"/> of it (read whole at most once per <see cref="DepinOptions.DispatchViewMaxAge"/>,
/// this process's own inserts, admissions and removals applied at once).
/// </summary>
public sealed class TableDepinStore(AistoTables tables, IOptions<DepinOptions>? options = null, TimeProvider? clock = null)
    : IDepinStore, IAsyncDisposable
{
    private const string Projects = "depinprojects";
    private const string Tasks = "depintasks";
    private const string Dispatch = "depindispatch";
    private const string FairShare = "depinfairshare";
    private const string Pledges = "depinpledges";
    private const string ProjectPartition = "project";

    /// <summary>
    /// Task rows are spread over this many partitions (by a stable hash of the task id): few enough that the inserts
    /// of one receive batch share transactions, enough to stay far below one partition's request rate.
    /// </summary>
    private const int TaskBuckets = 4;
    private const string DispatchPartition = "dispatch";
    private const string PledgePartition = "pledge";
    private const string PassPartition = "pass";
    private const string ClockPartition = "clock";

    // Intake puts every new task in the dispatch queue: inserts arriving together share one transaction.
    private readonly TableGroupInsert dispatchInserts = new(cancellationToken => tables.GetAsync(Dispatch, cancellationToken));

    // And stores every new task first: insert-only too, sharing a transaction per bucket.
    private readonly TableGroupInsert taskInserts = new(cancellationToken => tables.GetAsync(Tasks, cancellationToken));

    private readonly PartitionMirror<DispatchEntry> dispatchView = new(
        cancellationToken => ReadDispatchAsync(tables, cancellationToken),
        (options?.Value ?? new DepinOptions()).DispatchViewMaxAge,
        (options?.Value ?? new DepinOptions()).DispatchViewMaxAge * 10,
        clock);

    public async ValueTask DisposeAsync()
    {
        await dispatchInserts.DisposeAsync();
        await taskInserts.DisposeAsync();
    }

    public async Task<bool> TryCreateProjectAsync(DepinProject project, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Projects, cancellationToken);
        try
        {
            await table.AddEntityAsync(
                new TableEntity(ProjectPartition, project.ProjectId) { ["Json"] = JsonSerializer.Serialize(project, AistoJson.Options) },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<DepinProject?> GetProjectAsync(string projectId, CancellationToken cancellationToken = default)
    {
        if (!TableKeys.IsValid(projectId))
        {
            return null;
        }

        var table = await tables.GetAsync(Projects, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(ProjectPartition, projectId, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } e ? Read<DepinProject>(e) : null;
    }

    public async Task<IReadOnlyList<DepinProject>> ListProjectsAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Projects, cancellationToken);
        var found = new List<DepinProject>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == ProjectPartition, cancellationToken: cancellationToken))
        {
            found.Add(Read<DepinProject>(e));
        }

        return found;
    }

    public Task<bool> TryCreateTaskAsync(DepinTaskRecord task, CancellationToken cancellationToken = default) =>
        taskInserts.InsertAsync(ToEntity(task), cancellationToken);

    public async Task<DepinTaskRecord?> GetTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        if (!TableKeys.IsValid(taskId))
        {
            return null;
        }

        var table = await tables.GetAsync(Tasks, cancellationToken);
        return await ReadTaskRowAsync(table, taskId, cancellationToken) is { } e ? Read<DepinTaskRecord>(e) : null;
    }

    /// <summary>
    /// A task's row: in its bucket, else where builds before the buckets kept it (partition = task id), so tasks stored
    /// before an upgrade can still be read and finished.
    /// </summary>
    private static async Task<TableEntity?> ReadTaskRowAsync(TableClient table, string taskId, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(BucketOf(taskId), taskId, cancellationToken: cancellationToken);
        if (row.HasValue && row.Value is { } e)
        {
            return e;
        }

        var legacy = await table.GetEntityIfExistsAsync<TableEntity>(taskId, taskId, cancellationToken: cancellationToken);
        return legacy.HasValue ? legacy.Value : null;
    }

    public async Task<DepinTaskRecord> UpdateTaskAsync(
        string taskId, Func<DepinTaskRecord, DepinTaskRecord> change, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Tasks, cancellationToken);
        while (true)
        {
            var current = await ReadTaskRowAsync(table, taskId, cancellationToken)
                ?? throw new RequestFailedException(404, $"DePIN task {taskId} is not stored.");
            var updated = change(Read<DepinTaskRecord>(current));
            var entity = ToEntity(updated);
            entity.PartitionKey = current.PartitionKey; // a row from before the buckets stays where it is
            try
            {
                await table.UpdateEntityAsync(entity, current.ETag, TableUpdateMode.Replace, cancellationToken);
                return updated;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Changed since read: apply the change to the newer record.
            }
        }
    }

    public async Task<IReadOnlyList<DepinTaskRecord>> ListOpenTasksAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Tasks, cancellationToken);
        var found = new List<DepinTaskRecord>();
        var filter = TableClient.CreateQueryFilter($"Status eq {nameof(DepinTaskStatus.Queued)} or Status eq {nameof(DepinTaskStatus.Running)}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            found.Add(Read<DepinTaskRecord>(e));
        }

        return found;
    }

    public async Task<IReadOnlyList<DepinTaskRecord>> ListTaskSummariesAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Tasks, cancellationToken);
        var found = new List<DepinTaskRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(select: ["RowKey", "ProjectId", "Status", "GpuSeconds", "Reward"], cancellationToken: cancellationToken))
        {
            found.Add(new DepinTaskRecord(
                e.RowKey, e.GetString("ProjectId") ?? "", Enum.Parse<DepinTaskStatus>(e.GetString("Status") ?? nameof(DepinTaskStatus.Queued)),
                null, "", null, decimal.Parse(e.GetString("GpuSeconds") ?? "0", CultureInfo.InvariantCulture), e.GetString("Reward") ?? "0",
                null, default, null));
        }

        return found;
    }

    public async Task EnqueueAsync(DispatchEntry entry, CancellationToken cancellationToken = default)
    {
        // Insert-only: an entry queued before (a retried activity) stays as it is, admitted or not.
        if (await dispatchInserts.InsertAsync(ToEntity(entry), cancellationToken))
        {
            dispatchView.Apply(entry.TaskId, _ => entry);
        }
    }

    public async Task<DispatchEntry?> GetDispatchAsync(string taskId, CancellationToken cancellationToken = default)
    {
        if (!TableKeys.IsValid(taskId))
        {
            return null;
        }

        var table = await tables.GetAsync(Dispatch, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(DispatchPartition, taskId, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } e ? FromDispatch(e) : null;
    }

    public async Task<IReadOnlyList<DispatchEntry>> ListDispatchAsync(CancellationToken cancellationToken = default) =>
        [.. (await ReadDispatchAsync(tables, cancellationToken)).Select(e => e.Value)];

    public Task<IReadOnlyList<DispatchEntry>> ViewDispatchAsync(CancellationToken cancellationToken = default) =>
        dispatchView.ListAsync(cancellationToken);

    public async Task<DispatchEntry?> ViewDispatchEntryAsync(string taskId, CancellationToken cancellationToken = default)
    {
        // The copy is in key (task id) order, as the table.
        var view = await dispatchView.ListAsync(cancellationToken);
        int low = 0, high = view.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var order = string.CompareOrdinal(view[middle].TaskId, taskId);
            if (order == 0)
            {
                return view[middle];
            }

            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }

        // Not in this process's copy: queued by another process since the copy was read. Read it, and keep it until
        // the next read of the whole queue (a row the copy got meanwhile wins).
        if (await GetDispatchAsync(taskId, cancellationToken) is not { } stored)
        {
            return null;
        }

        dispatchView.Apply(taskId, current => current ?? stored);
        return stored;
    }

    public async Task<DispatchEntry?> RefreshDispatchEntryAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var stored = await GetDispatchAsync(taskId, cancellationToken);
        dispatchView.Apply(taskId, _ => stored);
        return stored;
    }

    public async Task MarkAdmittedAsync(IReadOnlyList<DispatchEntry> entries, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Dispatch, cancellationToken);
        foreach (var chunk in entries.Chunk(100))
        {
            // One partition: up to 100 rows per transaction.
            await table.SubmitTransactionAsync(
                chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(e with { Admitted = true }))),
                cancellationToken);
            foreach (var e in chunk)
            {
                dispatchView.Apply(e.TaskId, _ => e with { Admitted = true });
            }
        }
    }

    public async Task RemoveFromDispatchAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Dispatch, cancellationToken);
        try
        {
            await table.DeleteEntityAsync(DispatchPartition, taskId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Gone already.
        }

        dispatchView.Apply(taskId, _ => null);
    }

    public async Task<FairShareState> GetFairShareAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(FairShare, cancellationToken);
        var passes = new Dictionary<string, long>(StringComparer.Ordinal);
        long virtualTime = 0;
        await foreach (var e in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            var value = e.GetInt64("Value") ?? 0;
            if (e.PartitionKey == ClockPartition)
            {
                virtualTime = value;
            }
            else
            {
                passes[e.RowKey] = value;
            }
        }

        return new FairShareState(passes, virtualTime);
    }

    public async Task SaveFairShareAsync(FairShareState state, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(FairShare, cancellationToken);
        foreach (var chunk in state.Passes.Chunk(100))
        {
            await table.SubmitTransactionAsync(
                chunk.Select(p => new TableTransactionAction(
                    TableTransactionActionType.UpsertReplace, new TableEntity(PassPartition, p.Key) { ["Value"] = p.Value })),
                cancellationToken);
        }

        await table.UpsertEntityAsync(new TableEntity(ClockPartition, "virtual") { ["Value"] = state.VirtualTime }, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task CreatePledgeAsync(DepinPledge pledge, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Pledges, cancellationToken);
        await table.AddEntityAsync(ToEntity(pledge), cancellationToken);
    }

    public async Task<PledgeVersion?> FindPledgeAsync(string pledgeId, CancellationToken cancellationToken = default)
    {
        if (!TableKeys.IsValid(pledgeId))
        {
            return null;
        }

        var table = await tables.GetAsync(Pledges, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(PledgePartition, pledgeId, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } e ? new PledgeVersion(Read<DepinPledge>(e), e.ETag.ToString()) : null;
    }

    public async Task<IReadOnlyList<PledgeVersion>> ListPledgesAsync(string? projectId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Pledges, cancellationToken);
        var found = new List<PledgeVersion>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == PledgePartition, cancellationToken: cancellationToken))
        {
            var pledge = Read<DepinPledge>(e);
            if (projectId is null || pledge.ProjectId == projectId)
            {
                found.Add(new PledgeVersion(pledge, e.ETag.ToString()));
            }
        }

        return found;
    }

    public async Task<bool> TryReplacePledgeAsync(PledgeVersion expected, DepinPledge updated, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Pledges, cancellationToken);
        try
        {
            await table.UpdateEntityAsync(ToEntity(updated), new ETag(expected.ETag), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 409)
        {
            return false;
        }
    }

    private static async Task<IReadOnlyList<KeyValuePair<string, DispatchEntry>>> ReadDispatchAsync(AistoTables tables, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(Dispatch, cancellationToken);
        var found = new List<KeyValuePair<string, DispatchEntry>>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == DispatchPartition, cancellationToken: cancellationToken))
        {
            found.Add(KeyValuePair.Create(e.RowKey, FromDispatch(e)));
        }

        return found;
    }

    private static T Read<T>(TableEntity e) =>
        JsonSerializer.Deserialize<T>(e.GetString("Json"), AistoJson.Options) ?? throw new InvalidDataException($"Row {e.PartitionKey}/{e.RowKey} is empty.");

    /// <summary>The task row's partition: a stable hash of the task id (not <c>string.GetHashCode</c>, which differs per process).</summary>
    private static string BucketOf(string taskId)
    {
        var hash = 0u;
        foreach (var c in taskId)
        {
            hash = unchecked((hash * 31) + c);
        }

        return "t" + (hash % TaskBuckets).ToString(CultureInfo.InvariantCulture);
    }

    private static TableEntity ToEntity(DepinTaskRecord task) => new(BucketOf(task.TaskId), task.TaskId)
    {
        ["ProjectId"] = task.ProjectId,
        ["Status"] = task.Status.ToString(),
        ["GpuSeconds"] = task.GpuSeconds.ToString(CultureInfo.InvariantCulture),
        ["Reward"] = task.Reward,
        ["Json"] = JsonSerializer.Serialize(task, AistoJson.Options),
    };

    private static TableEntity ToEntity(DepinPledge pledge) => new(PledgePartition, pledge.PledgeId)
    {
        ["ProjectId"] = pledge.ProjectId,
        ["Json"] = JsonSerializer.Serialize(pledge, AistoJson.Options),
    };

    private static TableEntity ToEntity(DispatchEntry e) => new(DispatchPartition, e.TaskId)
    {
        ["ProjectId"] = e.ProjectId,
        ["GpuModel"] = e.GpuModel,
        ["GpuMilli"] = e.GpuMilli,
        ["Cost"] = e.CostGpuMilliSeconds,
        ["Arrival"] = e.ArrivalOrder,
        ["Admitted"] = e.Admitted,
    };

    private static DispatchEntry FromDispatch(TableEntity e) => new(
        e.RowKey,
        e.GetString("ProjectId"),
        e.GetString("GpuModel"),
        e.GetInt32("GpuMilli") ?? 0,
        e.GetInt64("Cost") ?? 0,
        e.GetInt64("Arrival") ?? 0,
        e.GetBoolean("Admitted") ?? false);
}
