using Aisto.Infrastructure.Storage;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Depin;

/// <summary>
/// Group commit for insert-only rows of one table (the DePIN dispatch queue: one partition, written once per task
/// by intake): callers inserting at the same time share one entity-group transaction of up to 100 rows instead of a
/// request each. Each <see cref="InsertAsync"/> completes when its row is stored (true) or was there already
/// (false) — nothing is acknowledged before it is written, and an existing row is never overwritten. A transaction
/// fails whole when one of its rows exists; its rows are then inserted one by one, so every caller gets its own answer.
/// (<c>Storage/TableGroupCommit</c> does the same for replace-upserts; both are <see cref="TableBatchWriter{TResult}"/>.)
/// </summary>
public sealed class TableGroupInsert(Func<CancellationToken, Task<TableClient>> table) : TableBatchWriter<bool>(table)
{
    /// <summary>Inserts <paramref name="entity"/>; true when stored now, false when a row with its keys existed.</summary>
    public Task<bool> InsertAsync(TableEntity entity, CancellationToken cancellationToken = default) => EnqueueAsync(entity, cancellationToken);

    protected override async Task WriteAsync(TableClient client, IReadOnlyList<Pending> batch)
    {
        // The same row twice: the first is inserted, the later ones find it (as they would one by one).
        var firsts = new List<Pending>();
        var repeats = new List<Pending>();
        foreach (var group in batch.GroupBy(p => (p.Entity.PartitionKey, p.Entity.RowKey)))
        {
            firsts.Add(group.First());
            repeats.AddRange(group.Skip(1));
        }

        await Task.WhenAll(TransactionChunks(firsts).Select(chunk => CommitAsync(client, chunk)));
        foreach (var repeat in repeats)
        {
            repeat.Done.TrySetResult(false);
        }
    }

    private static async Task CommitAsync(TableClient client, Pending[] chunk)
    {
        if (chunk.Length > 1)
        {
            try
            {
                await client.SubmitTransactionAsync(chunk.Select(p => new TableTransactionAction(TableTransactionActionType.Add, p.Entity)));
                Array.ForEach(chunk, p => p.Done.TrySetResult(true));
                return;
            }
            catch (Exception)
            {
                // One of them exists, the batch was refused, or the table could not be reached (the SDK's retries
                // exhausted): nothing of it was written; one by one below, each caller getting its own answer or error.
            }
        }

        await Task.WhenAll(chunk.Select(p => InsertOneAsync(client, p)));
    }

    private static async Task InsertOneAsync(TableClient client, Pending p)
    {
        try
        {
            await client.AddEntityAsync(p.Entity);
            p.Done.TrySetResult(true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            p.Done.TrySetResult(false);
        }
        catch (Exception ex)
        {
            p.Done.TrySetException(ex);
        }
    }
}
