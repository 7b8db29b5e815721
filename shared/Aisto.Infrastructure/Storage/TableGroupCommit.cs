using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Storage;

/// <summary>
/// Group commit for upserts into one table: callers that write at the same time share one round trip. Each
/// <see cref="UpsertAsync"/> waits until its row is stored (nothing is acknowledged before it is written), but the
/// rows queued meanwhile go out together as entity-group transactions — one per partition, at most
/// <see cref="TableBatchWriter{TResult}.MaxBatch"/> rows each — so a burst of N writes costs about N / 100 requests instead of N. A row written
/// twice in one batch is stored once (the last one wins), as a replace-upsert would have left it. When a transaction
/// fails, its rows are retried one by one, so one bad row fails only its own caller.
/// </summary>
/// <param name="linger">See <see cref="TableBatchWriter{TResult}"/>: longer batches for callers that need not wait.</param>
public sealed class TableGroupCommit(Func<CancellationToken, Task<TableClient>> table, TimeSpan linger = default)
    : TableBatchWriter<bool>(table, linger)
{
    /// <summary>Replace-upserts <paramref name="entity"/>; completes when it is stored (or failed to be).</summary>
    public Task UpsertAsync(TableEntity entity, CancellationToken cancellationToken = default) => EnqueueAsync(entity, cancellationToken);

    protected override Task WriteAsync(TableClient client, IReadOnlyList<Pending> batch) =>
        Task.WhenAll(TransactionChunks(batch).Select(chunk => CommitAsync(client, chunk)));

    private static async Task CommitAsync(TableClient client, Pending[] chunk)
    {
        // The same row twice in one transaction is an error: keep the last write of each row, answer all callers.
        var rows = chunk
            .GroupBy(p => p.Entity.RowKey, StringComparer.Ordinal)
            .Select(g => (Entity: g.Last().Entity, Callers: g.ToArray()))
            .ToArray();
        try
        {
            if (rows.Length == 1)
            {
                await client.UpsertEntityAsync(rows[0].Entity, TableUpdateMode.Replace);
            }
            else
            {
                await client.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r.Entity)));
            }

            Complete(chunk, null);
        }
        catch (Exception ex) when (rows.Length > 1 && ex is RequestFailedException or TableTransactionFailedException)
        {
            foreach (var (entity, callers) in rows)
            {
                try
                {
                    await client.UpsertEntityAsync(entity, TableUpdateMode.Replace);
                    Complete(callers, null);
                }
                catch (Exception single)
                {
                    Complete(callers, single);
                }
            }
        }
        catch (Exception ex)
        {
            Complete(chunk, ex);
        }
    }

    private static void Complete(IEnumerable<Pending> callers, Exception? error)
    {
        foreach (var caller in callers)
        {
            if (error is null)
            {
                caller.Done.TrySetResult(true);
            }
            else
            {
                caller.Done.TrySetException(error);
            }
        }
    }
}
