namespace Aisto.Orchestrations.Depin;

/// <summary>DePIN intake and dispatch settings (<c>Aisto:Depin</c>).</summary>
public sealed class DepinOptions
{
    public const string Section = "Aisto:Depin";

    /// <summary><c>StorageQueue</c> (the queue trigger; Azurite locally) or <c>ServiceBus</c> (session processor).</summary>
    public DepinTransport Transport { get; set; } = DepinTransport.StorageQueue;

    /// <summary>The intake queue; its poison queue is <c>&lt;name&gt;-poison</c>.</summary>
    public string QueueName { get; set; } = "depin-tasks";

    /// <summary>Share of each GPU model's fleet capacity the DePIN pool may hold, in percent.</summary>
    public int PoolPercent { get; set; } = 45;

    /// <summary>How often a queued task asks again when no capacity was freed meanwhile.</summary>
    public TimeSpan QueueRetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How old this process's copy of the dispatch queue may be for the scheduling cycle and admission tries (its own
    /// changes are applied at once; other processes' appear within this plus one read).
    /// </summary>
    public TimeSpan DispatchViewMaxAge { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A task queued longer fails with <c>NoCapacity</c>.</summary>
    public TimeSpan MaxQueueTime { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Runs of a task (provisioning failed → released and queued again) before it fails.</summary>
    public int MaxAttempts { get; set; } = 3;

    public TimeSpan ReadyPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ProvisioningTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// NCRONTAB of the timer that gives open tasks whose orchestration is gone (a crash between storing a task and
    /// starting it, or an orchestration that ended without ending its task) a new one.
    /// </summary>
    public string ReconcileSchedule { get; set; } = "*/30 * * * * *";

    /// <summary>A task younger than this may still be on its way to its orchestration: the reconciler leaves it.</summary>
    public TimeSpan ReconcileMinimumAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Service Bus namespace host (<c>&lt;name&gt;.servicebus.windows.net</c>), used with the managed identity.</summary>
    public string ServiceBusNamespace { get; set; } = "";

    /// <summary>Service Bus connection string; when set it wins over <see cref="ServiceBusNamespace"/>.</summary>
    public string ServiceBusConnectionString { get; set; } = "";

    /// <summary>Project sessions the Service Bus processor works on at once.</summary>
    public int MaxConcurrentSessions { get; set; } = 16;

    /// <summary>Longest wait for one Service Bus operation before it is retried (the SDK's TryTimeout).</summary>
    public TimeSpan ServiceBusTryTimeout { get; set; } = TimeSpan.FromMinutes(1);

    public DepinTaskTimings ToTimings() => new(QueueRetryInterval, MaxQueueTime, MaxAttempts, ReadyPollInterval, ProvisioningTimeout);
}

/// <summary>How DePIN tasks arrive.</summary>
public enum DepinTransport
{
    StorageQueue,
    ServiceBus,
}

/// <summary>The task orchestration's time settings, captured at start so replays see the same values.</summary>
public sealed record DepinTaskTimings(
    TimeSpan QueueRetryInterval,
    TimeSpan MaxQueueTime,
    int MaxAttempts,
    TimeSpan ReadyPollInterval,
    TimeSpan ProvisioningTimeout);
