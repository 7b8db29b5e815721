using Aisto.Domain.Depin;
using Aisto.Infrastructure.Depin;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Depin;
using Azure.Data.Tables;

namespace Aisto.Functions.Tests;

/// <summary>
/// Task rows live in a few buckets (partition from a hash of the task id); rows stored by builds before the buckets
/// (partition = task id) must still be readable and finishable after an upgrade, on the storage emulator.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class DepinTaskRowTests : IAsyncLifetime
{
    private AistoTables tables = null!;

    public async Task InitializeAsync()
    {
        tables = await StorageEmulator.FreshTablesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_task_row_stored_before_the_buckets_is_read_and_updated_where_it_is()
    {
        // Arrange: a task stored, then moved to where an earlier build kept it (partition = task id).
        await using var store = new TableDepinStore(tables);
        var task = new DepinTaskRecord("legacy-1", "proj", DepinTaskStatus.Running, null, "fp", null, 0m, "0", null, DateTimeOffset.UtcNow, null);
        Assert.True(await store.TryCreateTaskAsync(task));
        var table = await tables.GetAsync("depintasks");
        var bucketed = await SingleRowAsync(table);
        Assert.NotEqual(task.TaskId, bucketed.PartitionKey);
        await table.DeleteEntityAsync(bucketed.PartitionKey, bucketed.RowKey);
        bucketed.PartitionKey = task.TaskId;
        await table.AddEntityAsync(bucketed);

        // Act
        var read = await store.GetTaskAsync(task.TaskId);
        var finished = await store.UpdateTaskAsync(task.TaskId, t => t with { Status = DepinTaskStatus.Completed, GpuSeconds = 60m });

        // Assert: found, finished in place, no second row.
        Assert.Equal(DepinTaskStatus.Running, read!.Status);
        Assert.Equal(DepinTaskStatus.Completed, finished.Status);
        var stored = await SingleRowAsync(table);
        Assert.Equal(task.TaskId, stored.PartitionKey);
        Assert.Equal(DepinTaskStatus.Completed, (await store.GetTaskAsync(task.TaskId))!.Status);
        Assert.Null(await store.GetTaskAsync("never-stored"));
    }

    private static async Task<TableEntity> SingleRowAsync(TableClient table)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return Assert.Single(rows);
    }
}
