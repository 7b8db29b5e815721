using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Infrastructure.Leases;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Leases;
using Azure.Data.Tables;

namespace Aisto.Functions.Tests;

/// <summary>
/// The lease store and the group-commit writer against Tables on the storage emulator: what the cheaper paths of the
/// lifecycle (remembered ETags, filtered queue reads, shared batches) must still guarantee.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class LeaseStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private AistoTables tables = null!;

    public async Task InitializeAsync()
    {
        tables = await StorageEmulator.FreshTablesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static LeaseRecord Queued(string id, string model = "H100", int minutesLate = 0, string tenant = "tenant-a") => new(
        id, tenant, LeaseStatus.Queued,
        new LeaseRequest(model, GpuDemand.Whole(1), 1, 1, 1m, LeaseClass.OnDemand, LeasePool.Leasing, LeasePurpose.Inference,
            null, null, null, PreemptionAction.End, null),
        "fp", null, Start.AddMinutes(minutesLate), null, null, null, 0m, 0m, null);

    private static async Task<List<TableEntity>> RowsAsync(TableClient table)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task An_update_applies_to_what_another_writer_stored_since_this_process_wrote_the_lease()
    {
        var mine = new TableLeaseStore(tables);
        var other = new TableLeaseStore(tables);
        await mine.TryCreateAsync(Queued("l1"));
        await other.UpdateAsync("l1", l => l with { ChargedSoFar = 5m });

        var updated = await mine.UpdateAsync("l1", l => l with { ChargedSoFar = l.ChargedSoFar + 1m });

        Assert.Equal(6m, updated.ChargedSoFar);
        Assert.Equal(6m, (await other.FindAsync("l1"))!.ChargedSoFar);
    }

    [Fact]
    public async Task Consecutive_updates_from_one_process_each_see_the_previous_one()
    {
        var store = new TableLeaseStore(tables);
        await store.TryCreateAsync(Queued("l2"));

        await store.UpdateAsync("l2", l => l with { Status = LeaseStatus.Provisioning });
        await store.UpdateAsync("l2", l => l with { Status = LeaseStatus.Active, ActiveAt = Start, ExpiresAt = Start.AddHours(1) });
        await store.UpdateAsync("l2", l => l with { ChargedSoFar = l.ChargedSoFar + 2m });
        var ended = await store.UpdateAsync("l2", l => l with { Status = LeaseStatus.Expired, EndedAt = Start.AddHours(1) });

        var stored = await new TableLeaseStore(tables).FindAsync("l2");
        Assert.Equal(ended, stored);
        Assert.Equal((LeaseStatus.Expired, 2m, Start), (stored!.Status, stored.ChargedSoFar, stored.ActiveAt));
    }

    [Fact]
    public async Task Concurrent_upserts_through_a_group_commit_are_all_stored_once_each()
    {
        await using var writer = new TableGroupCommit(ct => tables.GetAsync("groupcommit", ct));
        var rows = Enumerable.Range(0, 250).Select(i => new TableEntity($"p{i % 3}", $"r{i % 200:D3}") { ["Value"] = i }).ToList();

        await Task.WhenAll(rows.Select(r => writer.UpsertAsync(r)));

        var table = await tables.GetAsync("groupcommit");
        var stored = await RowsAsync(table);
        var expected = rows.GroupBy(r => (r.PartitionKey, r.RowKey)).Count();
        Assert.Equal(expected, stored.Count);
        Assert.All(stored, s => Assert.Equal(s.RowKey, $"r{s.GetInt32("Value")!.Value % 200:D3}"));
    }

    [Fact]
    public async Task A_row_the_service_rejects_fails_only_its_own_caller()
    {
        await using var writer = new TableGroupCommit(ct => tables.GetAsync("groupcommitbad", ct));
        var good = Enumerable.Range(0, 20).Select(i => writer.UpsertAsync(new TableEntity("p", $"ok{i}") { ["Value"] = i })).ToList();
        var bad = writer.UpsertAsync(new TableEntity("p", "bad/key"));

        await Task.WhenAll(good);
        await Assert.ThrowsAnyAsync<Exception>(() => bad);
        var table = await tables.GetAsync("groupcommitbad");
        Assert.Equal(20, (await RowsAsync(table)).Count);
    }

    [Fact]
    public async Task Rows_that_arrive_while_the_writer_lingers_share_one_request()
    {
        var requests = new RequestCounter();
        var options = AistoTables.ClientOptions();
        options.AddPolicy(requests, Azure.Core.HttpPipelinePosition.PerCall);
        var table = new TableClient("UseDevelopmentStorage=true", "groupcommitlinger" + Guid.NewGuid().ToString("N")[..8], options);
        await table.CreateAsync();
        await using var writer = new TableGroupCommit(_ => Task.FromResult(table), linger: TimeSpan.FromSeconds(1));
        var before = requests.Count;

        var first = writer.UpsertAsync(new TableEntity("p", "a"));
        await Task.Delay(100);
        var second = writer.UpsertAsync(new TableEntity("p", "b"));
        await Task.WhenAll(first, second);

        Assert.Equal(1, requests.Count - before);
        Assert.Equal(2, (await RowsAsync(table)).Count);
    }

    [Fact]
    public async Task A_lease_change_does_not_wait_for_its_monitoring_entry_which_follows_it()
    {
        var feed = new HeldFeed();
        var store = new Aisto.Orchestrations.Monitoring.ObservedLeaseStore(
            new TableLeaseStore(tables), feed, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Aisto.Orchestrations.Monitoring.ObservedLeaseStore>.Instance);

        var created = await store.TryCreateAsync(Queued("l9")).WaitAsync(TimeSpan.FromSeconds(30));
        var updated = await store.UpdateAsync("l9", l => l with { Status = LeaseStatus.Provisioning }).WaitAsync(TimeSpan.FromSeconds(30));
        feed.Release.SetResult();

        Assert.True(created);
        Assert.Equal(LeaseStatus.Provisioning, updated.Status);
        Assert.Equal([LeaseStatus.Queued, LeaseStatus.Provisioning], await feed.RecordedAsync(2));
    }

    /// <summary>A monitoring feed that holds every write until released.</summary>
    private sealed class HeldFeed : Aisto.Orchestrations.Monitoring.ILeaseActivityStore
    {
        private readonly List<LeaseStatus> recorded = [];

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RecordAsync(Aisto.Orchestrations.Monitoring.LeaseActivity activity, CancellationToken cancellationToken = default)
        {
            lock (recorded)
            {
                recorded.Add(activity.Status);
            }

            await Release.Task;
        }

        public Task<IReadOnlyList<Aisto.Orchestrations.Monitoring.LeaseActivity>> ListSinceAsync(
            DateTimeOffset since, int max, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public async Task<LeaseStatus[]> RecordedAsync(int count)
        {
            for (var i = 0; i < 100; i++)
            {
                lock (recorded)
                {
                    if (recorded.Count >= count)
                    {
                        return [.. recorded];
                    }
                }

                await Task.Delay(50);
            }

            lock (recorded)
            {
                return [.. recorded];
            }
        }
    }

    /// <summary>Counts the requests a client sends.</summary>
    private sealed class RequestCounter : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        public override void OnSendingRequest(Azure.Core.HttpMessage message) => Interlocked.Increment(ref count);
    }
}
