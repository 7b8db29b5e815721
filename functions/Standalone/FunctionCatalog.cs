using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Aisto.Functions.Standalone;

/// <summary>
/// Every function of this app, read from its <c>[Function]</c> methods and trigger attributes — the same declarations
/// the Functions SDK turns into function metadata, so no route, schedule or queue name is written twice.
/// </summary>
public static class FunctionCatalog
{
    public static IReadOnlyList<HttpFunction> Http(Assembly assembly) =>
        [.. Functions(assembly)
            .Select(f => (f.Name, f.Method, Trigger: TriggerOf<HttpTriggerAttribute>(f.Method)))
            .Where(f => f.Trigger is not null)
            .Select(f => new HttpFunction(f.Name, f.Method, f.Trigger!.Route ?? f.Name, f.Trigger.Methods ?? ["get", "post"]))];

    public static IReadOnlyList<TimerFunction> Timers(Assembly assembly) =>
        [.. Functions(assembly)
            .Select(f => (f.Name, f.Method, Trigger: TriggerOf<TimerTriggerAttribute>(f.Method)))
            .Where(f => f.Trigger is not null)
            .Select(f => new TimerFunction(f.Name, f.Method, f.Trigger!.Schedule, f.Trigger.RunOnStartup))];

    public static IReadOnlyList<QueueFunction> Queues(Assembly assembly) =>
        [.. Functions(assembly)
            .Select(f => (f.Name, f.Method, Trigger: TriggerOf<QueueTriggerAttribute>(f.Method)))
            .Where(f => f.Trigger is not null)
            .Select(f => new QueueFunction(f.Name, f.Method, f.Trigger!.QueueName))];

    private static IEnumerable<(string Name, MethodInfo Method)> Functions(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(m => (Attribute: m.GetCustomAttribute<FunctionAttribute>(), Method: m))
            .Where(f => f.Attribute is not null)
            .Select(f => (f.Attribute!.Name, f.Method));

    private static T? TriggerOf<T>(MethodInfo method)
        where T : Attribute =>
        method.GetParameters().Select(p => p.GetCustomAttribute<T>()).FirstOrDefault(a => a is not null);
}

/// <summary>An HTTP-triggered function: its route (below <c>/api</c>) and methods.</summary>
public sealed record HttpFunction(string Name, MethodInfo Method, string Route, string[] Methods);

/// <summary>A timer-triggered function and its schedule (NCRONTAB, or <c>%setting%</c>).</summary>
public sealed record TimerFunction(string Name, MethodInfo Method, string Schedule, bool RunOnStartup);

/// <summary>A queue-triggered function and its queue name (or <c>%setting%</c>).</summary>
public sealed record QueueFunction(string Name, MethodInfo Method, string QueueName);
