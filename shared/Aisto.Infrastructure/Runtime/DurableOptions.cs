namespace Aisto.Infrastructure.Runtime;

/// <summary>The standalone durable engine (<c>Aisto:Durable</c>); under a Functions host, host.json rules instead.</summary>
public sealed class DurableOptions
{
    public const string Section = "Aisto:Durable";

    /// <summary><c>AzureStorage</c> (durable, on Azurite or Azure) or <c>InMemory</c> (fast, lost on exit).</summary>
    public string Backend { get; set; } = "AzureStorage";

    public string TaskHub { get; set; } = "aisto";

    /// <summary>Fixed when the task hub is created.</summary>
    public int PartitionCount { get; set; } = 2;

    /// <summary>Stable across restarts, so a restarted process takes its partitions back at once.</summary>
    public string? WorkerId { get; set; }

    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Above the longest activity (the sidecar does not renew work-item locks), and short, because an activity
    /// message held by a process that died comes back only after it (activities here take seconds).
    /// </summary>
    public TimeSpan WorkItemVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a control-queue message held by a process that died stays invisible. The default of the backend
    /// (5 minutes) stalls every orchestration that was mid-episode at a crash for that long.
    /// </summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Work items the sidecar hands the worker at once; null = the backend's measured best (in-memory 1000, Azure
    /// Storage 32). When the sidecar's dispatcher is full it sleeps 500 ms per poll, so the in-memory engine wants a
    /// high limit; on Azurite the emulator's single thread is the bottleneck and more concurrency only thrashes it.
    /// </summary>
    public int? MaxConcurrentActivities { get; set; }

    public int? MaxConcurrentOrchestrations { get; set; }
}
