using Microsoft.DurableTask;

namespace Aisto.Orchestrations.Durable;

/// <summary>
/// Every orchestrator and activity this project defines, found once by type. Both hosts register exactly these
/// names (the type name), and a test checks the Functions app declares a trigger for each.
/// </summary>
public static class DurableTasks
{
    public static IReadOnlyList<Type> Orchestrators { get; } = Find(typeof(ITaskOrchestrator));

    public static IReadOnlyList<Type> Activities { get; } = Find(typeof(ITaskActivity));

    private static Type[] Find(Type contract) =>
        [.. typeof(DurableTasks).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && contract.IsAssignableFrom(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>Registers every orchestrator and activity with the portable worker.</summary>
    public static void AddAll(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var type in Orchestrators)
        {
            registry.AddOrchestrator(type.Name, type);
        }

        foreach (var type in Activities)
        {
            registry.AddActivity(type.Name, type);
        }
    }
}
