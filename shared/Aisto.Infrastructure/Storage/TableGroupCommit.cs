using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Storage;

/// <summary>
/// Group commit for upserts into one table: callers that write at the same time share one round trip. Each
/// <see cref="UpsertAsync"/> waits until its row is stored (nothing is acknowledged before it is written), but the
/// rows queued meanwhile go out together as entity-group transactions — one per partition, at most
/// <see cref="MaxBatch"/> rows each — so a burst of N writes costs about N / 100 requests instead of N. A row written
/// twice in one batch is stored once (the last one wins), as a replace-upsert would have left it. When a transaction
/// fails, its rows are retried one by one, so one bad row fails only its own caller.
/// </summary>
public sealed class TableGroupCommit : IAsyncDisposable
{
    /// <summary>The service's limit on operations in one entity-group transaction.</summary>
    public const int MaxBatch = 100;

    private readonly Func<CancellationToken, Task<TableClient>> table;
    private readonly Channel<Pending> pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;

    public TableGroupCommit(Func<CancellationToken, Task<TableClient>> table)
    {
        this.table = table;
        loop = Task.Run(RunAsync);
    }

    /// <summary>Replace-upserts <paramref name="entity"/>; completes when it is stored (or failed to be).</summary>
    public Task UpsertAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!pending.Writer.TryWrite(new Pending(entity, done)))
        {
            throw new ObjectDisposedException(nameof(TableGroupCommit));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        pending.Writer.TryComplete();
        await loop;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>();
        while (await pending.Reader.WaitToReadAsync())
        {
            while (pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            var client = await TryGetTableAsync(batch);
            if (client is not null)
            {
                await Task.WhenAll(batch
                    .GroupBy(p => p.Entity.PartitionKey, StringComparer.Ordinal)
                    .SelectMany(partition => partition.Chunk(MaxBatch))
                    .Select(chunk => CommitAsync(client, chunk)));
            }

            batch.Clear();
        }
    }

    private async Task<TableClient?> TryGetTableAsync(List<Pending> batch)
    {
        try
        {
            return await table(CancellationToken.None);
        }
        catch (Exception ex)
        {
            batch.ForEach(p => p.Done.TrySetException(ex));
            return null;
        }
    }

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
                caller.Done.TrySetResult();
            }
            else
            {
                caller.Done.TrySetException(error);
            }
        }
    }

    private sealed record Pending(TableEntity Entity, TaskCompletionSource Done);
}
