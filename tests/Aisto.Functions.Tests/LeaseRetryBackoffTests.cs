using Aisto.Orchestrations.Leases;

namespace Aisto.Functions.Tests;

/// <summary>How long a queued lease waits between booking tries when nothing wakes it.</summary>
public sealed class LeaseRetryBackoffTests
{
    private static LeaseTimings Timings(TimeSpan retry, TimeSpan? max) => new(
        TimeSpan.FromMinutes(30), retry, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), max);

    [Theory]
    [InlineData(1, 15)]
    [InlineData(2, 30)]
    [InlineData(3, 60)]
    [InlineData(4, 120)]
    [InlineData(5, 120)]
    [InlineData(50, 120)]
    public void The_wait_doubles_per_try_that_found_no_room_up_to_the_maximum(int failedTries, int expectedSeconds)
    {
        var timings = Timings(TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(2));

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), timings.RetryAfter(failedTries));
    }

    [Fact]
    public void A_maximum_that_is_not_above_the_interval_or_missing_keeps_the_interval()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), Timings(TimeSpan.FromSeconds(15), null).RetryAfter(10));
        Assert.Equal(TimeSpan.FromSeconds(15), Timings(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5)).RetryAfter(10));
    }

    [Fact]
    public void A_maximum_between_two_doublings_is_reached_exactly()
    {
        Assert.Equal(TimeSpan.FromSeconds(100), Timings(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(100)).RetryAfter(5));
    }
}
