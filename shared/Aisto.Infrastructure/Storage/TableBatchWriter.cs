using System.Threading.Channels;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Storage;

/// <summary>
/// The common part of the table group commits (<see cref="TableGroupCommit"/>, <c>Depin/TableGroupInsert</c>): callers
/// hand in rows and wait for their own answer; one loop takes whatever has queued up meanwhile and lets the subclass
/// write it together (<see cref="WriteAsync"/>), so a burst of writes shares round trips. Nothing is acknowledged
/// before the subclass answers it; when the table cannot even be reached, every waiting caller gets that error.
/// </summary>
/// <typeparam name="TResult">What each caller is answered (e.g. whether its row was new).</typeparam>
public abstract class TableBatchWriter<TResult> : IAsyncDisposable
{
    /// <summary>The service's limit on operations in one entity-group transaction.</summary>
    public const int MaxBatch = 100;

    private readonly Func<CancellationToken, Task<TableClient>> table;
    private readonly TimeSpan linger;
    private readonly Channel<Pending> pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;

    /// <param name="linger">How long the loop waits after the first row of a batch for more to join it (none by
    /// default: a batch is whatever queued while the previous one was written). Every caller waits that much longer.</param>
    protected TableBatchWriter(Func<CancellationToken, Task<TableClient>> table, TimeSpan linger = default)
    {
        this.table = table;
        this.linger = linger;
        loop = Task.Run(RunAsync);
    }

    public async ValueTask DisposeAsync()
    {
        pending.Writer.TryComplete();
        await loop;
        GC.SuppressFinalize(this);
    }

    /// <summary>Queues <paramref name="entity"/>; completes with its answer once the subclass has written it.</summary>
    protected Task<TResult> EnqueueAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!pending.Writer.TryWrite(new Pending(entity, done)))
        {
            throw new ObjectDisposedException(GetType().Name);
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes one batch; must answer every caller in it (result or exception).</summary>
    protected abstract Task WriteAsync(TableClient client, IReadOnlyList<Pending> batch);

    /// <summary>The rows of <paramref name="batch"/> by partition, in chunks one transaction can take.</summary>
    protected static IEnumerable<Pending[]> TransactionChunks(IEnumerable<Pending> batch) =>
        batch.GroupBy(p => p.Entity.PartitionKey, StringComparer.Ordinal).SelectMany(partition => partition.Chunk(MaxBatch));

    private async Task RunAsync()
    {
        var batch = new List<Pending>();
        while (await pending.Reader.WaitToReadAsync())
        {
            if (linger > TimeSpan.Zero)
            {
                await Task.Delay(linger);
            }

            while (pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            TableClient? client = null;
            try
            {
                client = await table(CancellationToken.None);
            }
            catch (Exception ex)
            {
                batch.ForEach(p => p.Done.TrySetException(ex));
            }

            if (client is not null)
            {
                try
                {
                    await WriteAsync(client, batch);
                }
                catch (Exception ex)
                {
                    // A subclass that let an error through: its callers get it, and the loop goes on for the next
                    // rows (a dead loop would leave every later caller waiting for ever).
                    batch.ForEach(p => p.Done.TrySetException(ex));
                }
            }

            batch.Clear();
        }
    }

    /// <summary>A caller's row and the answer it waits for.</summary>
    protected sealed record Pending(TableEntity Entity, TaskCompletionSource<TResult> Done);
}
