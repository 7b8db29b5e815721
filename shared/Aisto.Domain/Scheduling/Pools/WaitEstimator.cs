namespace Aisto.Domain.Scheduling.Pools;

/// <summary>
/// Estimated waits for queued requests in admission order: a request can start once the GPUs freed by running
/// work (at its expected end) cover its own demand plus the demand of everything ahead of it. Deliberately simple
/// and slightly pessimistic (work ahead is assumed to keep its GPUs); O(queue + running · log running).
/// </summary>
public static class WaitEstimator
{
    public static IReadOnlyList<QueuePosition> Estimate(
        IReadOnlyList<QueuedRequest> waitingInOrder, IEnumerable<RunningWork> running, ResourceAmount free, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(waitingInOrder);
        var releases = running.OrderBy(w => w.ExpectedEnd).ThenBy(w => w.Id, StringComparer.Ordinal).ToList();
        var positions = new List<QueuePosition>(waitingInOrder.Count);
        long ahead = 0;
        var released = free.GpuMilli;
        var next = 0;
        var at = asOf;
        for (var i = 0; i < waitingInOrder.Count; i++)
        {
            var request = waitingInOrder[i];
            ahead += request.Demand.GpuMilli;
            while (released < ahead && next < releases.Count)
            {
                released += releases[next].Held.GpuMilli;
                at = releases[next].ExpectedEnd > at ? releases[next].ExpectedEnd : at;
                next++;
            }

            TimeSpan? wait = released >= ahead ? at - asOf : null;
            positions.Add(new QueuePosition(request.Id, i + 1, wait));
        }

        return positions;
    }
}
