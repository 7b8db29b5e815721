namespace Aisto.Orchestrations.Depin;

/// <summary>
/// DePIN projects, tasks, the dispatch queue and pledges. Task rows are insert-only by task id (a message delivered
/// twice finds its task); pledge rows are ETag-guarded.
/// </summary>
public interface IDepinStore
{
    /// <summary>Inserts a project; false when the id is taken.</summary>
    Task<bool> TryCreateProjectAsync(DepinProject project, CancellationToken cancellationToken = default);

    Task<DepinProject?> GetProjectAsync(string projectId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DepinProject>> ListProjectsAsync(CancellationToken cancellationToken = default);

    /// <summary>Inserts a task; false when one with this id exists.</summary>
    Task<bool> TryCreateTaskAsync(DepinTaskRecord task, CancellationToken cancellationToken = default);

    Task<DepinTaskRecord?> GetTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Applies <paramref name="change"/> under optimistic concurrency; retried on conflicts.</summary>
    Task<DepinTaskRecord> UpdateTaskAsync(string taskId, Func<DepinTaskRecord, DepinTaskRecord> change, CancellationToken cancellationToken = default);

    /// <summary>Every task not ended yet (Queued or Running), in full: what the reconciler looks at.</summary>
    Task<IReadOnlyList<DepinTaskRecord>> ListOpenTasksAsync(CancellationToken cancellationToken = default);

    /// <summary>Every task (status, project, GPU-seconds, reward) for the per-project statistics.</summary>
    Task<IReadOnlyList<DepinTaskRecord>> ListTaskSummariesAsync(CancellationToken cancellationToken = default);

    /// <summary>Puts a task in the dispatch queue (again); idempotent.</summary>
    Task EnqueueAsync(DispatchEntry entry, CancellationToken cancellationToken = default);

    Task<DispatchEntry?> GetDispatchAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Every task in the dispatch queue, queued or holding capacity, as stored now.</summary>
    Task<IReadOnlyList<DispatchEntry>> ListDispatchAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The dispatch queue as this process read it at most <see cref="DepinOptions.DispatchViewMaxAge"/> ago, with this
    /// process's own inserts, admissions and removals applied: what the scheduling cycle works from. Changes other
    /// processes made since may be missing; the cycle checks the table itself before it books a task it sees queued.
    /// </summary>
    Task<IReadOnlyList<DispatchEntry>> ViewDispatchAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// A task's entry as <see cref="ViewDispatchAsync"/> has it; one this process's copy does not have yet (queued by
    /// another process) is read from the table.
    /// </summary>
    Task<DispatchEntry?> ViewDispatchEntryAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Reads a task's entry from the table and puts what it found (or its absence) in this process's copy.</summary>
    Task<DispatchEntry?> RefreshDispatchEntryAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Marks queue entries as holding capacity (admitted) in one go.</summary>
    Task MarkAdmittedAsync(IReadOnlyList<DispatchEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Takes a task out of the dispatch queue; absent is fine.</summary>
    Task RemoveFromDispatchAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>The fair-share state: each project's pass and the virtual time.</summary>
    Task<FairShareState> GetFairShareAsync(CancellationToken cancellationToken = default);

    Task SaveFairShareAsync(FairShareState state, CancellationToken cancellationToken = default);

    Task CreatePledgeAsync(DepinPledge pledge, CancellationToken cancellationToken = default);

    Task<PledgeVersion?> FindPledgeAsync(string pledgeId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PledgeVersion>> ListPledgesAsync(string? projectId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the pledge if it is unchanged since read; false when someone else wrote first.</summary>
    Task<bool> TryReplacePledgeAsync(PledgeVersion expected, DepinPledge updated, CancellationToken cancellationToken = default);
}

/// <summary>A task in the dispatch queue: what fair share needs, and whether it already holds capacity.</summary>
public sealed record DispatchEntry(
    string TaskId,
    string ProjectId,
    string GpuModel,
    int GpuMilli,
    long CostGpuMilliSeconds,
    long ArrivalOrder,
    bool Admitted);

/// <summary>The stride scheduler's persisted state.</summary>
public sealed record FairShareState(IReadOnlyDictionary<string, long> Passes, long VirtualTime);
