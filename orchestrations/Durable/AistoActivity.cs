using Microsoft.DurableTask;

namespace Aisto.Orchestrations.Durable;

/// <summary>
/// Base of every activity: the logic lives in <see cref="ExecuteAsync"/> so that both hosts call the same code —
/// the portable Durable Task worker through <see cref="RunAsync"/>, the Functions host through its activity trigger.
/// Activities are retried and may run more than once: every implementation is idempotent.
/// </summary>
public abstract class AistoActivity<TInput, TOutput> : TaskActivity<TInput, TOutput>
{
    public sealed override Task<TOutput> RunAsync(TaskActivityContext context, TInput input) =>
        ExecuteAsync(input, CancellationToken.None);

    public abstract Task<TOutput> ExecuteAsync(TInput input, CancellationToken cancellationToken);
}
