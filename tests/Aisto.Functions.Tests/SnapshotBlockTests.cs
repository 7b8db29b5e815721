using Aisto.Domain.Ledger;
using Aisto.Infrastructure.Payouts;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Payouts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Tests;

/// <summary>
/// The epoch's snapshot block (storage emulator, Hardhat): picked once and kept, so a restarted epoch snapshots the
/// same balances — unless the chain no longer has that block (a development chain that restarted empty).
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class SnapshotBlockTests(TestChain testChain)
{
    private static readonly EpochCalendar Calendar = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(1));

    [Fact]
    public async Task A_stored_block_the_chain_has_is_kept()
    {
        var (store, activity, head) = await ArrangeAsync();
        await store.SaveAsync(Record(7) with { SnapshotBlock = head - 2 });

        var block = await activity.ExecuteAsync(7, CancellationToken.None);

        Assert.Equal(head - 2, block);
    }

    [Fact]
    public async Task A_stored_block_past_the_chains_head_is_replaced_by_the_head_and_stored()
    {
        var (store, activity, head) = await ArrangeAsync();
        await store.SaveAsync(Record(8) with { SnapshotBlock = head + 1_000 });

        var block = await activity.ExecuteAsync(8, CancellationToken.None);

        Assert.Equal(head, block);
        Assert.Equal(head, (await store.GetAsync(8))!.SnapshotBlock);
    }

    private async Task<(TablePayoutStore Store, PickSnapshotBlockActivity Activity, long Head)> ArrangeAsync()
    {
        await StorageEmulator.EnsureAsync();
        var chain = await testChain.DeployAsync();
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        var store = new TablePayoutStore(new AistoTables(Options.Create(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true", TablePrefix = prefix })));
        var activity = new PickSnapshotBlockActivity(store, chain.Operator, Calendar, TimeProvider.System, NullLogger<PickSnapshotBlockActivity>.Instance);
        return (store, activity, await chain.Operator.GetBlockNumberAsync());
    }

    private static PayoutEpochRecord Record(long epoch) =>
        new(epoch, PayoutEpochStatus.Running, Calendar.StartOf(epoch), Calendar.EndOf(epoch), DateTimeOffset.UtcNow);
}
