using System.Diagnostics;
using Aisto.Orchestrations.Monitoring;
using Microsoft.DurableTask;

namespace Aisto.Orchestrations.Durable;

/// <summary>
/// Base of every activity: the logic lives in <see cref="ExecuteAsync"/> so that both hosts call the same code —
/// the portable Durable Task worker through <see cref="RunAsync"/>, the Functions host through its activity trigger.
/// Activities are retried and may run more than once: every implementation is idempotent.
/// </summary>
public abstract class AistoActivity<TInput, TOutput> : TaskActivity<TInput, TOutput>
{
    public sealed override async Task<TOutput> RunAsync(TaskActivityContext context, TInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var span = AistoTelemetry.StartSpan(
            $"activity {context.Name}", ActivityKind.Internal, ("durable.activity", context.Name.Name), ("durable.instance_id", context.InstanceId));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var output = await ExecuteAsync(input, CancellationToken.None);
            AistoMetrics.ActivityRan(context.Name.Name, succeeded: true, Stopwatch.GetElapsedTime(started));
            return output;
        }
        catch (Exception ex)
        {
            span.RecordFailure(ex);
            AistoMetrics.ActivityRan(context.Name.Name, succeeded: false, Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    public abstract Task<TOutput> ExecuteAsync(TInput input, CancellationToken cancellationToken);
}
