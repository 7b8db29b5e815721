namespace Aisto.Domain.Depin;

/// <summary>A DePIN project as fair share sees it: its weight (priority 1–10) and its virtual pass so far.</summary>
/// <param name="Pass">Weighted GPU-time the project has been charged (in <see cref="WeightedFairQueue.StrideScale"/> units).</param>
public sealed record FairShareProject(string ProjectId, int Priority, long Pass);

/// <summary>A queued DePIN task: who it belongs to, its cost in GPU-thousandth-seconds and its arrival order.</summary>
public sealed record FairShareTask(string TaskId, string ProjectId, string GpuModel, long CostGpuMilliSeconds, long ArrivalOrder);

/// <summary>What one dispatch cycle did: tasks admitted in order, the new passes and the new virtual time.</summary>
public sealed record FairShareCycleResult(
    IReadOnlyList<FairShareTask> Admitted,
    IReadOnlyDictionary<string, long> Passes,
    long VirtualTime);

/// <summary>
/// Weighted fair share of the DePIN pool across projects by stride scheduling over GPU-time: the backlogged project
/// with the smallest pass goes next and its pass grows by the task's GPU-time × <see cref="StrideScale"/> / priority,
/// so over any busy period each project receives GPU-time in proportion to its priority. Tasks of one project run in
/// arrival order. A project coming back from idle starts at the current virtual time (it cannot bank credit), and a
/// cycle never lets a later task overtake the head of the line on the same GPU model, so no project waits
/// unboundedly: its pass becomes the smallest after finitely many others are charged.
/// One instance is one dispatch cycle: ask <see cref="Next"/>, book the task or not, report with
/// <see cref="Admit"/> or <see cref="Block"/>. Pure and deterministic: ties break by project id.
/// </summary>
public sealed class WeightedFairQueue
{
    /// <summary>Least common multiple of the priorities 1–10: every stride is a whole number.</summary>
    public const long StrideScale = 2520;

    public const int MinPriority = 1;
    public const int MaxPriority = 10;

    private readonly Dictionary<string, int> priority;
    private readonly Dictionary<string, Queue<FairShareTask>> lines;
    private readonly Dictionary<string, long> passes;
    private readonly HashSet<string> blockedModels = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> blockedProjects = new(StringComparer.Ordinal);
    private readonly List<FairShareTask> admitted = [];
    private long virtualTime;

    public WeightedFairQueue(IReadOnlyCollection<FairShareProject> projects, IReadOnlyCollection<FairShareTask> queued, long virtualTime)
    {
        ArgumentNullException.ThrowIfNull(projects);
        ArgumentNullException.ThrowIfNull(queued);

        // 1. Per project, its queue in arrival order; tasks of unknown projects are not scheduled.
        priority = projects.ToDictionary(p => p.ProjectId, p => p.Priority, StringComparer.Ordinal);
        lines = queued
            .Where(t => priority.ContainsKey(t.ProjectId))
            .GroupBy(t => t.ProjectId, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => new Queue<FairShareTask>(g.OrderBy(t => t.ArrivalOrder).ThenBy(t => t.TaskId, StringComparer.Ordinal)),
                StringComparer.Ordinal);

        // 2. Passes: a backlogged project never starts behind the virtual time (no credit for idling).
        passes = projects.ToDictionary(p => p.ProjectId, p => p.Pass, StringComparer.Ordinal);
        foreach (var id in lines.Keys)
        {
            passes[id] = Math.Max(passes[id], virtualTime);
        }

        this.virtualTime = virtualTime;
    }

    public static long Stride(int priority) =>
        priority is >= MinPriority and <= MaxPriority
            ? StrideScale / priority
            : throw new ArgumentOutOfRangeException(nameof(priority), priority, "Priority must be 1 to 10.");

    /// <summary>The task to offer next: the head of the unblocked project with the smallest pass; null when none is left.</summary>
    public FairShareTask? Next()
    {
        while (true)
        {
            string? next = null;
            foreach (var (id, line) in lines)
            {
                if (line.Count == 0 || blockedProjects.Contains(id))
                {
                    continue;
                }

                if (next is null || passes[id] < passes[next] || (passes[id] == passes[next] && string.CompareOrdinal(id, next) < 0))
                {
                    next = id;
                }
            }

            if (next is null)
            {
                return null;
            }

            var head = lines[next].Peek();
            if (!blockedModels.Contains(head.GpuModel))
            {
                return head;
            }

            // An earlier-in-line task of this model did not fit: nobody overtakes it on that model.
            blockedProjects.Add(next);
        }
    }

    /// <summary>The task offered by <see cref="Next"/> was booked: charge its project.</summary>
    public void Admit(FairShareTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var line = lines[task.ProjectId];
        if (line.Count == 0 || line.Peek() != task)
        {
            throw new InvalidOperationException($"Task {task.TaskId} is not the head of its project's line.");
        }

        line.Dequeue();
        virtualTime = Math.Max(virtualTime, passes[task.ProjectId]);
        passes[task.ProjectId] += task.CostGpuMilliSeconds * Stride(priority[task.ProjectId]);
        admitted.Add(task);
    }

    /// <summary>The task offered by <see cref="Next"/> does not fit now: its model and project wait for the next cycle.</summary>
    public void Block(FairShareTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        blockedModels.Add(task.GpuModel);
        blockedProjects.Add(task.ProjectId);
    }

    /// <summary>The task's project cannot take more now (its GPU cap): only that project waits for the next cycle.</summary>
    public void Hold(FairShareTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        blockedProjects.Add(task.ProjectId);
    }

    /// <summary>What the cycle did so far.</summary>
    public FairShareCycleResult Result => new([.. admitted], new Dictionary<string, long>(passes, StringComparer.Ordinal), virtualTime);

    /// <summary>Runs a whole cycle with a synchronous booking function (simulations and tests).</summary>
    public static FairShareCycleResult Dispatch(
        IReadOnlyCollection<FairShareProject> projects,
        IReadOnlyCollection<FairShareTask> queued,
        long virtualTime,
        Func<FairShareTask, bool> tryAdmit)
    {
        ArgumentNullException.ThrowIfNull(tryAdmit);
        var queue = new WeightedFairQueue(projects, queued, virtualTime);
        while (queue.Next() is { } task)
        {
            if (tryAdmit(task))
            {
                queue.Admit(task);
            }
            else
            {
                queue.Block(task);
            }
        }

        return queue.Result;
    }
}
