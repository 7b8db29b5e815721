namespace Aisto.Infrastructure.Storage;

/// <summary>
/// An in-process copy of one small, hot table partition (the lease queue) so reads that happen on
/// every request do not read every row every time. The copy is read whole at most once per <c>maxAge</c> (one read
/// at a time, however many callers), and this process's own writes are applied to it as they succeed — also to a
/// read still in flight — so a process always sees its own changes. Rows written by other processes appear within
/// <c>maxAge</c> (plus one read) while the copy is in use; a copy left unused longer than <c>staleAfter</c> is read
/// again before it is served, else a stale copy is served while one caller refreshes it in the background.
/// Rows are ordered by key, as the table holds them.
/// </summary>
public sealed class PartitionMirror<T>
    where T : class
{
    private readonly Func<CancellationToken, Task<IReadOnlyList<KeyValuePair<string, T>>>> readAll;
    private readonly TimeSpan maxAge;
    private readonly TimeSpan staleAfter;
    private readonly TimeProvider clock;
    private readonly object gate = new();

    private SortedDictionary<string, T>? rows;
    private IReadOnlyList<T>? served;
    private DateTimeOffset readAt;
    private Task? refreshing;
    private List<(string Key, Func<T?, T?> Change)>? duringRead;

    /// <param name="readAll">Reads every row of the partition, as (row key, value).</param>
    /// <param name="maxAge">How old a copy may be and still be served without starting a read.</param>
    /// <param name="staleAfter">How old a copy may be and still be served while a read runs (at least <paramref name="maxAge"/>).</param>
    public PartitionMirror(
        Func<CancellationToken, Task<IReadOnlyList<KeyValuePair<string, T>>>> readAll,
        TimeSpan maxAge,
        TimeSpan staleAfter,
        TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(readAll);
        this.readAll = readAll;
        this.maxAge = maxAge;
        this.staleAfter = staleAfter < maxAge ? maxAge : staleAfter;
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>Every row, in key order.</summary>
    public async Task<IReadOnlyList<T>> ListAsync(CancellationToken cancellationToken)
    {
        Task read;
        lock (gate)
        {
            var age = clock.GetUtcNow() - readAt;
            if (rows is not null && age < maxAge)
            {
                return Served();
            }

            read = refreshing ??= RefreshAsync();
            if (rows is not null && age < staleAfter)
            {
                return Served();
            }
        }

        await read.WaitAsync(cancellationToken);
        lock (gate)
        {
            return Served();
        }
    }

    /// <summary>Records a write this process made (null removes the row); <paramref name="change"/> sees the row as the copy has it.</summary>
    public void Apply(string key, Func<T?, T?> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (gate)
        {
            if (rows is not null)
            {
                Change(rows, key, change);
                served = null;
            }

            duringRead?.Add((key, change));
        }
    }

    private IReadOnlyList<T> Served() => served ??= [.. rows!.Values];

    /// <summary>Starts the one read (called under the lock): from now on this process's writes are also kept for it.</summary>
    private Task RefreshAsync()
    {
        duringRead = [];
        return ReadAsync(clock.GetUtcNow());
    }

    private async Task ReadAsync(DateTimeOffset started)
    {
        // Off the caller's lock before any work: a read that completes synchronously must not finish before its task
        // is recorded as the one in flight.
        await Task.Yield();
        try
        {
            // Not the caller's token: other callers wait on this read too.
            var read = await readAll(CancellationToken.None);
            lock (gate)
            {
                var fresh = new SortedDictionary<string, T>(StringComparer.Ordinal);
                foreach (var (key, value) in read)
                {
                    fresh[key] = value;
                }

                // Writes this process made while the read ran may or may not be in it: apply them again.
                foreach (var (key, change) in duringRead!)
                {
                    Change(fresh, key, change);
                }

                rows = fresh;
                served = null;
                readAt = started;
            }
        }
        finally
        {
            lock (gate)
            {
                duringRead = null;
                refreshing = null;
            }
        }
    }

    private static void Change(SortedDictionary<string, T> rows, string key, Func<T?, T?> change)
    {
        if (change(rows.GetValueOrDefault(key)) is { } value)
        {
            rows[key] = value;
        }
        else
        {
            rows.Remove(key);
        }
    }
}
