namespace Aisto.Domain.Scheduling.Pools;

/// <summary>A request the cycle admitted; <see cref="Borrowed"/> when it runs on another pool's idle quota.</summary>
public sealed record Admission(QueuedRequest Request, bool Borrowed);

/// <summary>Borrowed work the cycle preempts to give a pool its guarantee back, and for which request.</summary>
public sealed record Preemption(RunningWork Work, string ForRequestId);

/// <summary>Where a waiting request stands: 1-based position in admission order and an estimated wait.</summary>
/// <param name="EstimatedWait">Null when running work alone can never free enough (e.g. larger than the region).</param>
public sealed record QueuePosition(string RequestId, int Position, TimeSpan? EstimatedWait);

/// <summary>What one admission cycle decided.</summary>
public sealed record AdmissionResult(
    IReadOnlyList<Admission> Admitted,
    IReadOnlyList<Preemption> Preempted,
    IReadOnlyList<QueuePosition> Waiting);

/// <summary>Tuning of the admission cycle.</summary>
/// <param name="AgeBoostAfter">A request waiting this long goes ahead of younger ones of its class regardless of
/// fair share, which bounds how long fair share can hold it back.</param>
/// <param name="ReuseFailedPlacements">The walk remembers request shapes that found no room and does not place them
/// again (admitting only fills nodes, so the answer cannot change within one walk); off only to check that claim.</param>
public sealed record AdmissionOptions(TimeSpan AgeBoostAfter, bool ReuseFailedPlacements = true)
{
    public static AdmissionOptions Default { get; } = new(TimeSpan.FromMinutes(15));
}
