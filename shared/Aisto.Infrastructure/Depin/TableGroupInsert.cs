using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Depin;

/// <summary>
/// Group commit for insert-only rows of one table (the DePIN dispatch queue: one partition, written once per task
/// by intake): callers inserting at the same time share one entity-group transaction of up to 100 rows instead of a
/// request each. Each <see cref="InsertAsync"/> completes when its row is stored (true) or was there already
/// (false) — nothing is acknowledged before it is written, and an existing row is never overwritten. A transaction
/// fails whole when one of its rows exists; its rows are then inserted one by one, so every caller gets its own answer.
/// (<c>Storage/TableGroupCommit</c> does the same for replace-upserts.)
/// </summary>
public sealed class TableGroupInsert : IAsyncDisposable
{
    private const int MaxBatch = 100;

    private readonly Func<CancellationToken, Task<TableClient>> table;
    private readonly Channel<Pending> pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;

    public TableGroupInsert(Func<CancellationToken, Task<TableClient>> table)
    {
        this.table = table;
        loop = Task.Run(RunAsync);
    }

    /// <summary>Inserts <paramref name="entity"/>; true when stored now, false when a row with its keys existed.</summary>
    public Task<bool> InsertAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!pending.Writer.TryWrite(new Pending(entity, done)))
        {
            throw new ObjectDisposedException(nameof(TableGroupInsert));
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

            TableClient client;
            try
            {
                client = await table(CancellationToken.None);
            }
            catch (Exception ex)
            {
                batch.ForEach(p => p.Done.TrySetException(ex));
                batch.Clear();
                continue;
            }

            // The same row twice: the first is inserted, the later ones find it (as they would one by one).
            var firsts = new List<Pending>();
            var repeats = new List<Pending>();
            foreach (var group in batch.GroupBy(p => (p.Entity.PartitionKey, p.Entity.RowKey)))
            {
                firsts.Add(group.First());
                repeats.AddRange(group.Skip(1));
            }

            await Task.WhenAll(firsts
                .GroupBy(p => p.Entity.PartitionKey, StringComparer.Ordinal)
                .SelectMany(partition => partition.Chunk(MaxBatch))
                .Select(chunk => CommitAsync(client, chunk)));
            foreach (var repeat in repeats)
            {
                repeat.Done.TrySetResult(false);
            }

            batch.Clear();
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
            catch (Exception ex) when (ex is TableTransactionFailedException or RequestFailedException)
            {
                // One of them exists (or the batch was refused): nothing of it was written; one by one below.
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

    private sealed record Pending(TableEntity Entity, TaskCompletionSource<bool> Done);
}
