using Aisto.Domain.Ledger;

namespace Aisto.Domain.Tests.Ledger;

public sealed class EpochCalendarTests
{
    private static readonly EpochCalendar Daily = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(1));

    [Fact]
    public void An_instant_belongs_to_the_epoch_whose_half_open_period_holds_it()
    {
        var start = Daily.StartOf(328);

        Assert.Equal(328, Daily.EpochOf(start));
        Assert.Equal(328, Daily.EpochOf(start.AddDays(1).AddTicks(-1)));
        Assert.Equal(329, Daily.EpochOf(Daily.EndOf(328)));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), start);
    }
}
