using DurableTask.Core;

namespace Aisto.Infrastructure.Runtime;

/// <summary>
/// Stands between the Durable Task sidecar and the backend so the backend is started at most once and stopped at
/// most once, in that order. The sidecar starts the backend when the first worker connects and stops it from an
/// async-void handler when the host stops; our shutdown stops it first (to release partition leases in time). A
/// stop racing a start that is still running threw a NullReferenceException from that handler and killed the
/// process. Here start and stop take turns, a stop waits for a running start, and after the first stop nothing
/// starts again. Every other member goes straight to the backend — by plain calls: the dispatchers poll these
/// members all the time, and a reflection proxy cost about 1 % of the app's CPU per lease lifecycle.
/// </summary>
public sealed class OnceStartedOrchestrationService : IOrchestrationService
{
    private readonly SemaphoreSlim turn = new(1, 1);
    private readonly IOrchestrationService backend;
    private bool started;
    private bool closed;

    private OnceStartedOrchestrationService(IOrchestrationService backend) => this.backend = backend;

    /// <summary>Wraps <paramref name="backend"/>.</summary>
    public static IOrchestrationService Wrap(IOrchestrationService backend) => new OnceStartedOrchestrationService(backend);

    public int TaskOrchestrationDispatcherCount => backend.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => backend.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => backend.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => backend.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => backend.MaxConcurrentTaskActivityWorkItems;

    public async Task StartAsync()
    {
        await turn.WaitAsync();
        try
        {
            if (!started && !closed)
            {
                await backend.StartAsync();
                started = true;
            }
        }
        finally
        {
            turn.Release();
        }
    }

    public Task StopAsync() => StopAsync(isForced: false);

    public async Task StopAsync(bool isForced)
    {
        await turn.WaitAsync();
        try
        {
            closed = true;
            if (started)
            {
                started = false;
                await backend.StopAsync(isForced);
            }
        }
        finally
        {
            turn.Release();
        }
    }

    public Task CreateAsync() => backend.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => backend.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => backend.CreateIfNotExistsAsync();

    public Task DeleteAsync() => backend.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => backend.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        backend.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => backend.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => backend.GetDelayInSecondsAfterOnFetchException(exception);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        backend.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => backend.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState) =>
        backend.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => backend.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => backend.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        backend.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => backend.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) =>
        backend.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => backend.AbandonTaskActivityWorkItemAsync(workItem);
}
