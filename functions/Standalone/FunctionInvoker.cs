using System.Reflection;
using Aisto.Functions.Monitoring;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Standalone;

/// <summary>
/// Calls a function method the way the Functions host would: a fresh instance of its class from DI per call,
/// parameters bound from the trigger (HTTP request, route values, timer info, queue message), the durable
/// client and the cancellation token.
/// </summary>
public static class FunctionInvoker
{
    public static async Task<object?> InvokeAsync(
        IServiceProvider services, MethodInfo method, Func<ParameterInfo, (bool Bound, object? Value)> bindTrigger, CancellationToken cancellationToken)
    {
        var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, method.DeclaringType!);
        var parameters = method.GetParameters();
        var args = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            var (bound, value) = bindTrigger(p);
            args[i] = bound ? value
                : p.ParameterType == typeof(CancellationToken) ? cancellationToken
                : p.GetCustomAttribute<DurableClientAttribute>() is not null ? services.GetRequiredService<DurableTaskClient>()
                : throw new InvalidOperationException($"Cannot bind parameter '{p.Name}' of function {method.Name}.");
        }

        // A span and the invocation metrics around the call, as FunctionTelemetryMiddleware records under the Functions host.
        var function = method.GetCustomAttribute<FunctionAttribute>()?.Name ?? method.Name;
        return await FunctionTelemetry.RunAsync(function, TriggerOf(parameters), async () =>
        {
            var result = method.Invoke(target, args);
            if (result is Task task)
            {
                await task;
                return task.GetType().IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
            }

            return result;
        });
    }

    private static string TriggerOf(ParameterInfo[] parameters) =>
        parameters.SelectMany(p => p.GetCustomAttributes()).Select(a => a.GetType().Name)
            .FirstOrDefault(n => n.EndsWith("TriggerAttribute", StringComparison.Ordinal))?[..^"Attribute".Length].ToLowerInvariant()
        ?? "unknown";

    /// <summary>Binds an HTTP function's request, route values and query-less string parameters.</summary>
    public static (bool Bound, object? Value) BindHttp(HttpContext context, ParameterInfo p)
    {
        if (p.ParameterType == typeof(HttpRequest))
        {
            return (true, context.Request);
        }

        if (p.ParameterType == typeof(string) && p.Name is { } name)
        {
            // An optional or catch-all route parameter that is absent binds as null, as under the Functions host.
            return (true, context.Request.RouteValues.TryGetValue(name, out var value) ? value?.ToString() : null);
        }

        return (false, null);
    }
}
