using Aisto.Infrastructure.Depin;
using Aisto.Infrastructure.Storage;
using Azure.Data.Tables;

namespace Aisto.Functions.Tests;

/// <summary>
/// The insert-only group commit (the DePIN dispatch queue's writer) against Tables on the storage emulator: shared
/// transactions must keep insert-only answers — each row stored once, an existing row never overwritten.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class TableGroupInsertTests : IAsyncLifetime
{
    private AistoTables tables = null!;

    public async Task InitializeAsync()
    {
        tables = await StorageEmulator.FreshTablesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Concurrent_inserts_store_each_row_once_answer_true_once_per_row_and_never_overwrite_an_existing_row()
    {
        // Arrange: one row already there (an entry admitted since), then 250 inserts in 3 partitions, some rows twice.
        var table = await tables.GetAsync("groupinsert");
        await table.AddEntityAsync(new TableEntity("p0", "r000") { ["Value"] = -1 });
        await using var writer = new TableGroupInsert(ct => tables.GetAsync("groupinsert", ct));
        var rows = Enumerable.Range(0, 250).Select(i => new TableEntity($"p{i % 3}", $"r{i % 200:D3}") { ["Value"] = i }).ToList();

        // Act
        var answers = await Task.WhenAll(rows.Select(r => writer.InsertAsync(r)));

        // Assert: one true per new row, false for the existing one and for repeats; the existing row kept its value.
        var keys = rows.Select(r => (r.PartitionKey, r.RowKey)).Distinct().ToList();
        Assert.Equal(keys.Count - 1, answers.Count(a => a));
        var stored = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            stored.Add(row);
        }

        Assert.Equal(keys.Count, stored.Count);
        Assert.Equal(-1, stored.Single(s => s.PartitionKey == "p0" && s.RowKey == "r000").GetInt32("Value"));
    }

    [Fact]
    public async Task Rows_sent_while_the_table_cannot_be_reached_fail_with_the_error_and_later_rows_are_inserted()
    {
        // Arrange: until the table is back, batches go to an endpoint nothing listens on (one quick retry: the SDK then throws an AggregateException, not a RequestFailedException).
        var unreachable = new TableClient(new Uri("http://127.0.0.1:9/devstoreaccount1/groupinsertdown"), new TableClientOptions { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(10) } });
        var reachable = false;
        await using var writer = new TableGroupInsert(async ct => Volatile.Read(ref reachable) ? await tables.GetAsync("groupinsertdown", ct) : unreachable);

        // Act
        var down = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => Record(() => writer.InsertAsync(new TableEntity("p", $"down{i}")))));
        Volatile.Write(ref reachable, true);
        var up = await writer.InsertAsync(new TableEntity("p", "up")).WaitAsync(TimeSpan.FromSeconds(30));

        // Assert: every caller of the failed batch got an error (none waits for ever), and the writer still works.
        Assert.All(down, Assert.NotNull);
        Assert.True(up);
    }

    [Fact]
    public async Task A_row_the_service_rejects_fails_only_its_own_caller()
    {
        await using var writer = new TableGroupInsert(ct => tables.GetAsync("groupinsertbad", ct));
        var good = Enumerable.Range(0, 20).Select(i => writer.InsertAsync(new TableEntity("p", $"ok{i}") { ["Value"] = i })).ToList();
        var bad = writer.InsertAsync(new TableEntity("p", "bad/key"));

        Assert.All(await Task.WhenAll(good), Assert.True);
        await Assert.ThrowsAnyAsync<Exception>(() => bad);
    }

    private static async Task<Exception?> Record(Func<Task> action)
    {
        try
        {
            await action().WaitAsync(TimeSpan.FromSeconds(30));
            return null;
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            return ex;
        }
    }
}
