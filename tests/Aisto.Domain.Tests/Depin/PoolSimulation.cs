using Aisto.Domain.Depin;

namespace Aisto.Domain.Tests.Depin;

/// <summary>
/// A DePIN pool of one GPU model in simulated time: every project keeps its queue full, each cycle runs when a task
/// ends, tasks hold their GPUs for their duration. Records GPU-time delivered per project within the horizon and the
/// longest time any project went without an admission.
/// </summary>
public sealed class PoolSimulation
{
    private readonly Dictionary<string, int> priorities;
    private readonly Func<string, int, (int GpuMilli, long Seconds)> taskOf;

    public PoolSimulation(IReadOnlyDictionary<string, int> priorities, Func<string, int, (int GpuMilli, long Seconds)> taskOf)
    {
        this.priorities = new Dictionary<string, int>(priorities, StringComparer.Ordinal);
        this.taskOf = taskOf;
    }

    public Dictionary<string, long> DeliveredGpuMilliSeconds { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> LongestGapSeconds { get; } = new(StringComparer.Ordinal);

    public void Run(int poolGpuMilli, long horizonSeconds)
    {
        // Flooding means never running dry within one cycle: more queued tasks than the pool has GPUs.
        var backlogPerProject = (poolGpuMilli / 1000) + 1;
        var passes = priorities.ToDictionary(p => p.Key, _ => 0L, StringComparer.Ordinal);
        var virtualTime = 0L;
        var next = priorities.ToDictionary(p => p.Key, _ => 0, StringComparer.Ordinal);
        var lastAdmitted = priorities.ToDictionary(p => p.Key, _ => 0L, StringComparer.Ordinal);
        var running = new List<(string Project, int Milli, long Ends)>();
        var queue = new List<FairShareTask>();
        long arrival = 0;
        foreach (var p in priorities.Keys)
        {
            DeliveredGpuMilliSeconds[p] = 0;
            LongestGapSeconds[p] = 0;
        }

        long now = 0;
        while (now < horizonSeconds)
        {
            // 1. Keep every project flooding the pool.
            foreach (var p in priorities.Keys)
            {
                while (queue.Count(t => t.ProjectId == p) < backlogPerProject)
                {
                    var (milli, seconds) = taskOf(p, next[p]);
                    queue.Add(new FairShareTask($"{p}-{next[p]++}", p, "A100", milli * seconds, arrival++));
                }
            }

            // 2. One cycle on what is free now.
            var free = poolGpuMilli - running.Sum(r => r.Milli);
            var projects = priorities.Select(p => new FairShareProject(p.Key, p.Value, passes[p.Key])).ToList();
            var result = WeightedFairQueue.Dispatch(projects, queue, virtualTime, task =>
            {
                var (milli, seconds) = taskOf(task.ProjectId, int.Parse(task.TaskId[(task.ProjectId.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture));
                if (milli > free)
                {
                    return false;
                }

                free -= milli;
                running.Add((task.ProjectId, milli, now + seconds));
                DeliveredGpuMilliSeconds[task.ProjectId] += milli * Math.Min(seconds, horizonSeconds - now);
                LongestGapSeconds[task.ProjectId] = Math.Max(LongestGapSeconds[task.ProjectId], now - lastAdmitted[task.ProjectId]);
                lastAdmitted[task.ProjectId] = now;
                return true;
            });
            foreach (var (id, pass) in result.Passes)
            {
                passes[id] = pass;
            }

            virtualTime = result.VirtualTime;
            var taken = result.Admitted.ToHashSet();
            queue.RemoveAll(taken.Contains);

            // 3. Jump to the next task end.
            now = running.Count == 0 ? horizonSeconds : running.Min(r => r.Ends);
            running.RemoveAll(r => r.Ends <= now);
        }

        foreach (var p in priorities.Keys)
        {
            LongestGapSeconds[p] = Math.Max(LongestGapSeconds[p], horizonSeconds - lastAdmitted[p]);
        }
    }
}
