using System.Diagnostics;
using Aisto.Orchestrations.Monitoring;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Aisto.Functions.Monitoring;

/// <summary>Under the Functions host: a span and the invocation metrics around every function, as the standalone invoker records.</summary>
public sealed class FunctionTelemetryMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var trigger = context.FunctionDefinition.InputBindings.Values.FirstOrDefault(b => b.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))?.Type ?? "unknown";
        await FunctionTelemetry.RunAsync(context.FunctionDefinition.Name, trigger, () => next(context));
    }
}

/// <summary>The span and metrics of one function invocation, shared by both hosts.</summary>
public static class FunctionTelemetry
{
    public static async Task<T> RunAsync<T>(string function, string trigger, Func<Task<T>> invoke)
    {
        ArgumentNullException.ThrowIfNull(invoke);
        using var span = AistoTelemetry.StartSpan(
            $"function {function}", trigger.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? ActivityKind.Server : ActivityKind.Consumer,
            ("faas.name", function), ("faas.trigger", trigger));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await invoke();
            AistoMetrics.FunctionInvoked(function, trigger, succeeded: true, Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (Exception ex)
        {
            span.RecordFailure(ex);
            AistoMetrics.FunctionInvoked(function, trigger, succeeded: false, Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    public static Task RunAsync(string function, string trigger, Func<Task> invoke) =>
        RunAsync<bool>(function, trigger, async () =>
        {
            await invoke();
            return true;
        });
}
