using Aisto.Domain.Scheduling.Quoting;
using Aisto.Sim.Quotes;

namespace Aisto.Sim.Tests.Quotes;

/// <summary>
/// Quote-vs-observed replay (docs/scheduling.md §Quotes): a seeded stream of 5,000 requests at 90 % offered load on
/// 8 nodes × 8 H100, admitted like the runtime; each arrival's quoted wait is compared with the wait it had.
/// </summary>
public sealed class QuoteReplayTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Quoted_waits_are_within_2x_of_the_observed_wait_for_at_least_85_percent_of_the_requests_that_waited(int seed)
    {
        var accuracy = Replay(new QuoteReplayOptions(Seed: seed));

        Assert.True(accuracy.Waited > 1_000, $"the load should make many requests wait: {accuracy}");
        Assert.True(accuracy.WaitedWithin2xShare >= 0.85, accuracy.ToString());
        Assert.InRange(accuracy.MedianRatio, 0.8, 1.25);
        Assert.True(accuracy.NotWaitedRightShare >= 0.95, accuracy.ToString());
    }

    [Fact]
    public void Quotes_stay_within_2x_for_most_waits_when_a_third_of_leases_end_early_which_quotes_cannot_see()
    {
        var accuracy = Replay(new QuoteReplayOptions(Seed: 4, EarlyReleaseShare: 0.3));

        Assert.True(accuracy.WaitedWithin2xShare >= 0.8, accuracy.ToString());
        Assert.InRange(accuracy.MedianRatio, 0.8, 1.25);
    }

    [Fact]
    public void Replaying_admission_on_the_nodes_beats_both_aggregate_estimates()
    {
        var options = new QuoteReplayOptions(Seed: 5);

        var replay = Replay(options);
        var drain = Replay(options with { Model = WaitModel.FifoDrain });
        var cover = Replay(options with { Model = WaitModel.ReleaseCover });

        Assert.True(replay.WaitedWithin2xShare > drain.WaitedWithin2xShare, $"{replay} vs {drain}");
        Assert.True(drain.WaitedWithin2xShare > cover.WaitedWithin2xShare, $"{drain} vs {cover}");
        Assert.True(cover.Unquoted > 0, "release-cover has no answer once the queue outgrows what running work frees");
    }

    [Fact]
    public void The_replay_is_deterministic_for_a_seed()
    {
        var options = new QuoteReplayOptions(Seed: 7, Requests: 500);

        Assert.Equal(QuoteReplay.Run(options), QuoteReplay.Run(options));
    }

    private static QuoteAccuracy Replay(QuoteReplayOptions options) =>
        QuoteAccuracy.From(options.Model.ToString(), options.Seed, QuoteReplay.Run(options), options.WaitedAtLeastSeconds);
}
