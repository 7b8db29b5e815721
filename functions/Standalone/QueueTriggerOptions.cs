namespace Aisto.Functions.Standalone;

/// <summary>
/// How the standalone runtime runs queue triggers (<c>Aisto:Standalone:Queues</c>), with the meaning and defaults of
/// host.json's <c>extensions.queues</c> where the Functions host has the same setting.
/// </summary>
public sealed class QueueTriggerOptions
{
    public const string Section = "Aisto:Standalone:Queues";

    /// <summary>Messages fetched per receive (the service's maximum is 32).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>A new batch is fetched when fewer than this many messages are in flight (host default: BatchSize / 2).</summary>
    public int NewBatchThreshold { get; set; } = 32;

    /// <summary>Longest wait between polls of an empty queue; waits grow from 50 ms up to it.</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a failed message stays invisible before it is retried.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>Deliveries of a failing message before it is moved to <c>&lt;queue&gt;-poison</c>.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a received message is hidden from other receivers while the function runs.</summary>
    public TimeSpan MessageLeaseTime { get; set; } = TimeSpan.FromMinutes(5);
}
