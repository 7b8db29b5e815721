namespace Aisto.Domain.Ledger;

/// <summary>Numbers the platform's accounting periods: epoch n covers [origin + n·length, origin + (n+1)·length).</summary>
public sealed record EpochCalendar(DateTimeOffset Origin, TimeSpan Length)
{
    public long EpochOf(DateTimeOffset at) =>
        at < Origin ? 0 : (long)Math.Floor((at - Origin).Ticks / (double)Length.Ticks);

    public DateTimeOffset StartOf(long epoch) => Origin + TimeSpan.FromTicks(Length.Ticks * epoch);

    public DateTimeOffset EndOf(long epoch) => StartOf(epoch + 1);
}
