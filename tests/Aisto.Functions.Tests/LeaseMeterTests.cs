using Aisto.Domain.Ledger;
using Aisto.Domain.Pricing;
using Aisto.Infrastructure.Ledger;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Ledger;
using CsCheck;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Tests;

/// <summary>
/// Metering a lease into the real ledger table (storage emulator) when a turn of the lifecycle runs more than once:
/// after a crash between sending a turn's messages and saving its history, the turn runs again with another clock,
/// so the meter activity runs twice for the same interval and each try stops at another instant. The ledger must
/// still hold one unbroken chain per run, and the lease's total must be what the chain adds up to.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class LeaseMeterTests : IAsyncLifetime
{
    private const decimal Price = 2.99m;
    private static readonly DateTimeOffset Origin = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    private TableLedgerStore ledger = null!;

    public async Task InitializeAsync()
    {
        await StorageEmulator.EnsureAsync();
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        ledger = new TableLedgerStore(new AistoTables(Options.Create(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true", TablePrefix = prefix })));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Appending_an_id_that_exists_returns_what_the_ledger_holds()
    {
        var first = Entry("lse_append", Origin, Origin.AddSeconds(3));
        var second = Entry("lse_append", Origin, Origin.AddSeconds(5));

        var stored = await ledger.AppendAsync(first);
        var again = await ledger.AppendAsync(second);

        Assert.Equal(new LedgerAppend(first, Added: true), stored);
        Assert.Equal(new LedgerAppend(first, Added: false), again);
    }

    [Fact]
    public async Task A_second_try_that_ends_later_follows_the_first_and_bills_only_the_rest()
    {
        var meter = Meter(TimeSpan.FromDays(1));
        var from = Origin.AddMilliseconds(250);

        var first = await meter.ChargeAsync(Input("lse_later", from, from.AddSeconds(3.6)), StillActive, CancellationToken.None);
        var second = await meter.ChargeAsync(Input("lse_later", from, from.AddSeconds(5.2)), StillActive, CancellationToken.None);

        Assert.Equal(from.AddSeconds(3), first.BilledUntil);
        Assert.Equal(from.AddSeconds(5), second.BilledUntil);
        Assert.Equal(Metering.Charge(Price, from, from.AddSeconds(5)), second.Charged);
        Assert.Equal(
            [(from, from.AddSeconds(3)), (from.AddSeconds(3), from.AddSeconds(5))],
            (await EntriesAsync("lse_later")).Select(e => (e.PeriodStart, e.PeriodEnd)));
    }

    [Fact]
    public async Task A_second_try_that_ends_earlier_takes_the_first_ones_end_and_the_next_interval_follows_on()
    {
        var meter = Meter(TimeSpan.FromDays(1));
        var from = Origin.AddMilliseconds(250);
        await meter.ChargeAsync(Input("lse_earlier", from, from.AddSeconds(5)), StillActive, CancellationToken.None);

        // The orchestration took the result of the try that stopped early (its timer fired a second early) ...
        var accepted = await meter.ChargeAsync(Input("lse_earlier", from, from.AddSeconds(4)), StillActive, CancellationToken.None);
        var next = await meter.ChargeAsync(Input("lse_earlier", accepted.BilledUntil, from.AddSeconds(9)), StillActive, CancellationToken.None);

        // ... and still bills every second once.
        Assert.Equal(from.AddSeconds(5), accepted.BilledUntil);
        Assert.Equal(Metering.Charge(Price, from, from.AddSeconds(5)), accepted.Charged);
        Assert.Equal(from.AddSeconds(9), next.BilledUntil);
        var entries = await EntriesAsync("lse_earlier");
        Assert.Equal([(from, from.AddSeconds(5)), (from.AddSeconds(5), from.AddSeconds(9))], entries.Select(e => (e.PeriodStart, e.PeriodEnd)));
        Assert.Equal(entries.Sum(e => e.AmountUsd), accepted.Charged + next.Charged);
    }

    [Fact]
    public async Task A_late_duplicate_of_an_ended_lease_writes_nothing_past_the_chain()
    {
        var meter = Meter(TimeSpan.FromDays(1));
        var from = Origin.AddMilliseconds(250);
        await meter.ChargeToEndAsync(Input("lse_late", from, from.AddSeconds(2)), CancellationToken.None);

        var late = await meter.ChargeAsync(Input("lse_late", from, from.AddSeconds(6)), _ => Task.FromResult(false), CancellationToken.None);

        Assert.Equal(from.AddSeconds(2), late.BilledUntil);
        Assert.Single(await EntriesAsync("lse_late"));
    }

    [Fact]
    public async Task The_last_bill_counts_what_a_duplicate_billed_past_the_taken_result_and_the_end()
    {
        // Found by the property below (seed diHyuVpAezJ4): the lifecycle took a try that stopped at 2 s, two duplicates
        // of the same turn with later clocks billed on to 3 s and then 4 s, and the lease ended 0.2 s after the taken try.
        var meter = Meter(TimeSpan.FromDays(1));
        var from = Origin.AddMilliseconds(250);
        var taken = await meter.ChargeAsync(Input("lse_tail", from, from.AddSeconds(2)), StillActive, CancellationToken.None);
        await meter.ChargeAsync(Input("lse_tail", from, from.AddSeconds(3)), StillActive, CancellationToken.None);
        await meter.ChargeAsync(Input("lse_tail", from, from.AddSeconds(4)), StillActive, CancellationToken.None);

        var end = await meter.ChargeToEndAsync(Input("lse_tail", taken.BilledUntil, taken.BilledUntil.AddMilliseconds(200)), CancellationToken.None);

        Assert.Equal(from.AddSeconds(4), end.BilledUntil);
        var entries = await EntriesAsync("lse_tail");
        Assert.Equal(
            [(from, from.AddSeconds(2)), (from.AddSeconds(2), from.AddSeconds(3)), (from.AddSeconds(3), from.AddSeconds(4))],
            entries.Select(e => (e.PeriodStart, e.PeriodEnd)));
        Assert.Equal(entries.Sum(e => e.AmountUsd), taken.Charged + end.Charged);
    }

    [Fact]
    public async Task The_last_bill_looks_past_an_epochs_unbilled_fraction_for_a_duplicates_entries()
    {
        // Epochs of 6 s: a try from 3.5 s to 8.5 s bills 3.5..5.5, skips the epoch's last half second and bills 6..8.
        var meter = Meter(TimeSpan.FromSeconds(6));
        var from = Origin.AddMilliseconds(3500);
        var taken = await meter.ChargeAsync(Input("lse_fraction", from, from.AddSeconds(2)), StillActive, CancellationToken.None);
        await meter.ChargeAsync(Input("lse_fraction", from, from.AddSeconds(5)), StillActive, CancellationToken.None);

        var end = await meter.ChargeToEndAsync(Input("lse_fraction", taken.BilledUntil, taken.BilledUntil.AddMilliseconds(200)), CancellationToken.None);

        Assert.Equal(Origin.AddSeconds(8), end.BilledUntil);
        Assert.Equal(
            [(from, from.AddSeconds(2)), (Origin.AddSeconds(6), Origin.AddSeconds(8))],
            (await EntriesAsync("lse_fraction")).Select(e => (e.PeriodStart, e.PeriodEnd)));
        Assert.Equal(Metering.Charge(Price, Origin.AddSeconds(6), Origin.AddSeconds(8)), end.Charged);
    }

    /// <summary>
    /// Property: whatever the tries' clocks, which result the orchestration takes and which try comes again, the run's entries
    /// tile its time with no gap and no overlap (a gap only where an epoch's last fraction of a second is unbilled),
    /// each bills its whole seconds at the price, and they add up to the total the orchestration kept.
    /// </summary>
    [Fact]
    public async Task Duplicated_turns_with_other_clocks_bill_every_second_once_and_the_total_is_the_ledgers()
    {
        var gen =
            from startMs in Gen.Int[0, 999]
            from intervalSeconds in Gen.Int[2, 5]
            from epochSeconds in Gen.Int[3, 11]
            from turns in Gen.Int[1, 5]
            from endAfterMs in Gen.Int[0, 6000]
            from lateTurn in Gen.Int[0, 100]
            select (startMs, intervalSeconds, epochSeconds, turns, endAfterMs, lateTurn);
        var tries = Gen.Int[-1500, 500].Array[1, 3];
        var scenario = from s in gen from clocks in tries.Array[s.turns] from picks in Gen.Int[0, 2].Array[s.turns] select (s, clocks, picks);

        var cases = 0;
        await scenario.SampleAsync(
            async c =>
            {
                var (s, clocks, picks) = c;
                var leaseId = $"lse_prop{Interlocked.Increment(ref cases)}_{Guid.NewGuid():N}"[..28];
                var meter = Meter(TimeSpan.FromSeconds(s.epochSeconds));
                var activeAt = Origin.AddMilliseconds(s.startMs).AddTicks(1234);
                var meteredUntil = activeAt;
                var charged = 0m;
                var inputs = new List<MeterLeaseInput>();

                // Each turn: the orchestration asks for [meteredUntil, due); every try stops at min(due, its clock).
                // After one of the turns, a try of some earlier turn is delivered once more (a message held by a
                // killed worker), while the lease is still active.
                for (var turn = 0; turn < clocks.Length; turn++)
                {
                    var due = meteredUntil.AddSeconds(s.intervalSeconds);
                    var results = new List<MeterLeaseResult>();
                    foreach (var lagMs in clocks[turn])
                    {
                        var clock = due.AddMilliseconds(lagMs);
                        var input = Input(leaseId, meteredUntil, due < clock ? due : clock);
                        inputs.Add(input);
                        results.Add(await meter.ChargeAsync(input, StillActive, CancellationToken.None));
                    }

                    var taken = results[picks[turn] % results.Count];
                    (meteredUntil, charged) = (taken.BilledUntil, charged + taken.Charged);
                    if (turn == s.lateTurn % clocks.Length)
                    {
                        await meter.ChargeAsync(inputs[s.lateTurn % inputs.Count], StillActive, CancellationToken.None);
                    }
                }

                // The end bills the rest; a lease never ends before what was billed.
                var endedAt = meteredUntil.AddMilliseconds(s.endAfterMs);
                var end = await meter.ChargeToEndAsync(Input(leaseId, meteredUntil, endedAt), CancellationToken.None);
                charged += end.Charged;
                endedAt = end.BilledUntil > endedAt ? end.BilledUntil : endedAt;

                var entries = await EntriesAsync(leaseId);
                var cursor = activeAt;
                foreach (var e in entries)
                {
                    var gap = e.PeriodStart - cursor;
                    Assert.True(
                        gap == TimeSpan.Zero || (gap > TimeSpan.Zero && gap < TimeSpan.FromSeconds(1) && (e.PeriodStart - Origin).Ticks % TimeSpan.FromSeconds(s.epochSeconds).Ticks == 0),
                        $"{leaseId}: entry {e.PeriodStart:O}..{e.PeriodEnd:O} does not follow {cursor:O}");
                    Assert.True(Metering.BilledSeconds(e.PeriodStart, e.PeriodEnd) >= 1, $"{leaseId}: entry {e.PeriodStart:O}..{e.PeriodEnd:O} bills no whole second");
                    Assert.Equal(Metering.Charge(Price, e.PeriodStart, e.PeriodEnd), e.AmountUsd);
                    cursor = e.PeriodEnd;
                }

                // Unbilled at the end: under a second, after an epoch's last fraction of a second if the end crossed one.
                var epochLength = TimeSpan.FromSeconds(s.epochSeconds);
                var nextEpoch = Origin + (epochLength * Math.Ceiling((cursor - Origin) / epochLength));
                var tail = nextEpoch - cursor < TimeSpan.FromSeconds(1) && nextEpoch <= endedAt ? nextEpoch : cursor;
                Assert.True(endedAt >= cursor && endedAt - tail < TimeSpan.FromSeconds(1), $"{leaseId}: billed to {cursor:O}, ended {endedAt:O}");
                Assert.Equal(entries.Sum(e => e.AmountUsd), charged);
            },
            iter: 120,
            threads: 1);
    }

    /// <summary>A lease that is still active: a turn may bill on past a duplicate's entries.</summary>
    private static Task<bool> StillActive(CancellationToken cancellationToken) => Task.FromResult(true);

    private LeaseMeter Meter(TimeSpan epochLength) => new(ledger, new EpochCalendar(Origin, epochLength));

    private static MeterLeaseInput Input(string leaseId, DateTimeOffset from, DateTimeOffset to) => new(leaseId, "tenant-a", Price, from, to, 0m);

    private static LedgerEntry Entry(string leaseId, DateTimeOffset from, DateTimeOffset to) =>
        new(0, $"lease-{leaseId}-{from.ToUnixTimeSeconds()}", LedgerEntryKind.LeaseCharge, "tenant-a", Metering.Charge(Price, from, to), from, to, leaseId);

    private async Task<List<LedgerEntry>> EntriesAsync(string leaseId)
    {
        var entries = new List<LedgerEntry>();
        for (var epoch = 0L; epoch < 100; epoch++)
        {
            entries.AddRange((await ledger.ListAsync(epoch)).Where(e => e.Reference == leaseId));
        }

        return [.. entries.OrderBy(e => e.PeriodStart)];
    }
}
