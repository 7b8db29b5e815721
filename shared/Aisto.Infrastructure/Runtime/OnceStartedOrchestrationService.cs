using System.Reflection;
using System.Runtime.ExceptionServices;
using DurableTask.Core;

namespace Aisto.Infrastructure.Runtime;

/// <summary>
/// Stands between the Durable Task sidecar and the backend so the backend is started at most once and stopped at
/// most once, in that order. The sidecar starts the backend when the first worker connects and stops it from an
/// async-void handler when the host stops; our shutdown stops it first (to release partition leases in time). A
/// stop racing a start that is still running threw a NullReferenceException from that handler and killed the
/// process. Here start and stop take turns, a stop waits for a running start, and after the first stop nothing
/// starts again. Every other member goes straight to the backend.
/// </summary>
public class OnceStartedOrchestrationService : DispatchProxy
{
    private readonly SemaphoreSlim turn = new(1, 1);
    private IOrchestrationService backend = null!;
    private bool started;
    private bool closed;

    /// <summary>Wraps <paramref name="backend"/>.</summary>
    public static IOrchestrationService Wrap(IOrchestrationService backend)
    {
        var proxy = Create<IOrchestrationService, OnceStartedOrchestrationService>();
        ((OnceStartedOrchestrationService)(object)proxy).backend = backend;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        switch (targetMethod.Name)
        {
            case nameof(IOrchestrationService.StartAsync):
                return StartOnceAsync();
            case nameof(IOrchestrationService.StopAsync):
                return StopOnceAsync(args is [bool isForced] && isForced);
            default:
                try
                {
                    return targetMethod.Invoke(backend, args);
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    ExceptionDispatchInfo.Throw(ex.InnerException);
                    throw;
                }
        }
    }

    private async Task StartOnceAsync()
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

    private async Task StopOnceAsync(bool isForced)
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
}
