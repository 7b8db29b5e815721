using Aisto.Infrastructure.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Aisto.Functions.Tests;

/// <summary>The in-process copy of a hot table partition: read at most once per max age, own writes seen at once.</summary>
public sealed class PartitionMirrorTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<string, string> table = new(StringComparer.Ordinal) { ["b"] = "B", ["a"] = "A" };
    private int reads;

    private PartitionMirror<string> Mirror(TimeSpan? staleAfter = null) => new(
        _ =>
        {
            reads++;
            return Task.FromResult<IReadOnlyList<KeyValuePair<string, string>>>([.. table]);
        },
        TimeSpan.FromSeconds(1),
        staleAfter ?? TimeSpan.FromSeconds(1),
        clock);

    [Fact]
    public async Task Rows_come_in_key_order_and_are_read_once_within_the_max_age()
    {
        var mirror = Mirror();

        var first = await mirror.ListAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(900));
        table["c"] = "C";
        var second = await mirror.ListAsync(CancellationToken.None);

        Assert.Equal(["A", "B"], first);
        Assert.Equal(["A", "B"], second);
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task Another_writer_s_rows_appear_once_the_copy_is_older_than_the_max_age()
    {
        var mirror = Mirror();
        await mirror.ListAsync(CancellationToken.None);

        table["c"] = "C";
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["A", "B", "C"], await mirror.ListAsync(CancellationToken.None));
        Assert.Equal(2, reads);
    }

    [Fact]
    public async Task This_process_s_own_writes_are_seen_at_once()
    {
        var mirror = Mirror();
        await mirror.ListAsync(CancellationToken.None);

        mirror.Apply("c", _ => "C");
        mirror.Apply("a", _ => null);
        mirror.Apply("b", row => row + "!");

        Assert.Equal(["B!", "C"], await mirror.ListAsync(CancellationToken.None));
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task A_write_made_while_a_read_is_in_flight_survives_that_read()
    {
        var readTaken = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var mirror = new PartitionMirror<string>(
            async _ =>
            {
                var snapshot = table.ToList(); // The read sees the table before the writes below.
                readTaken.SetResult();
                await release.Task;
                return snapshot;
            },
            TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1),
            clock);

        var listing = mirror.ListAsync(CancellationToken.None);
        await readTaken.Task;
        table["c"] = "C";
        mirror.Apply("c", _ => "C");
        table.Remove("a");
        mirror.Apply("a", _ => null);
        release.SetResult();

        Assert.Equal(["B", "C"], await listing);
    }

    [Fact]
    public async Task A_copy_past_the_max_age_but_not_stale_is_served_while_one_read_refreshes_it()
    {
        var mirror = Mirror(staleAfter: TimeSpan.FromSeconds(10));
        await mirror.ListAsync(CancellationToken.None);
        table["c"] = "C";
        clock.Advance(TimeSpan.FromSeconds(2));

        var served = await mirror.ListAsync(CancellationToken.None);
        var after = served;
        for (var i = 0; i < 200 && after.Count < 3; i++)
        {
            await Task.Delay(10);
            after = await mirror.ListAsync(CancellationToken.None);
        }

        Assert.Equal(["A", "B"], served);
        Assert.Equal(["A", "B", "C"], after);
        Assert.Equal(2, reads);
    }
}
