using System.Text.Json;
using Aisto.Functions.Standalone;
using Aisto.Orchestrations.Durable;

namespace Aisto.Functions.Tests;

/// <summary>
/// The app still builds as an Azure Functions app: the SDK-generated functions.metadata declares every function
/// with its trigger and route, and agrees with what the standalone runtime serves.
/// </summary>
public sealed class FunctionMetadataTests
{
    private static readonly JsonElement[] Metadata = JsonDocument
        .Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")))
        .RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();

    [Theory]
    [InlineData("Health", "get", "health")]
    [InlineData("ListRegions", "get", "regions")]
    [InlineData("CreateLease", "post", "leases")]
    [InlineData("ListLeases", "get", "leases")]
    [InlineData("GetLease", "get", "leases/{leaseId}")]
    [InlineData("ExtendLease", "post", "leases/{leaseId}/extend")]
    [InlineData("CancelLease", "delete", "leases/{leaseId}")]
    [InlineData("ListPayoutEpochs", "get", "payouts/epochs")]
    [InlineData("GetPayoutEpoch", "get", "payouts/epochs/{epoch}")]
    [InlineData("GetPayoutClaim", "get", "payouts/epochs/{epoch}/claims/{address}")]
    [InlineData("StartPayoutEpoch", "post", "payouts/epochs")]
    [InlineData("CreateDepinProject", "post", "depin/projects")]
    [InlineData("ListDepinProjects", "get", "depin/projects")]
    [InlineData("GetDepinTask", "get", "depin/tasks/{taskId}")]
    [InlineData("CreateDepinPledge", "post", "depin/pledges")]
    [InlineData("EndDepinPledge", "delete", "depin/pledges/{pledgeId}")]
    public void Each_HTTP_function_is_declared_with_its_method_and_route(string name, string method, string route)
    {
        var trigger = TriggerOf(name, "httpTrigger");

        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("anonymous", trigger.GetProperty("authLevel").GetString(), ignoreCase: true);
    }

    [Theory]
    [InlineData("ReconcileQueuedLeases", "%Aisto:Leases:ReconcileSchedule%")]
    [InlineData("ReconcileDepinTasks", "%Aisto:Depin:ReconcileSchedule%")]
    public void The_reconcile_timers_are_declared_with_their_schedule_setting_and_served_standalone(string function, string schedule)
    {
        var trigger = TriggerOf(function, "timerTrigger");

        Assert.Equal(schedule, trigger.GetProperty("schedule").GetString());
        Assert.Contains(FunctionCatalog.Timers(typeof(StandaloneHost).Assembly), t => t.Name == function);
    }

    [Fact]
    public void The_payout_timer_is_declared_with_its_schedule_setting_and_served_standalone()
    {
        var trigger = TriggerOf("RunDividendEpochs", "timerTrigger");

        Assert.Equal("%Aisto:Payouts:Schedule%", trigger.GetProperty("schedule").GetString());
        Assert.Contains(FunctionCatalog.Timers(typeof(StandaloneHost).Assembly), t => t.Name == "RunDividendEpochs");
    }

    [Fact]
    public void The_DePIN_queue_trigger_is_declared_with_its_queue_setting_and_served_standalone()
    {
        var trigger = TriggerOf("DepinTaskIntake", "queueTrigger");

        Assert.Equal("%Aisto:Depin:QueueName%", trigger.GetProperty("queueName").GetString());
        Assert.Contains(FunctionCatalog.Queues(typeof(StandaloneHost).Assembly), q => q.Name == "DepinTaskIntake" && q.QueueName == "%Aisto:Depin:QueueName%");
    }

    [Fact]
    public void The_standalone_runtime_serves_exactly_the_declared_HTTP_functions()
    {
        var declared = Metadata
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: Bindings(f).FirstOrDefault(b => Type(b) == "httpTrigger")))
            .Where(f => f.Trigger.ValueKind == JsonValueKind.Object)
            .Select(f => $"{f.Name} {string.Join(",", f.Trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()))} {f.Trigger.GetProperty("route").GetString()}")
            .Order();
        var served = FunctionCatalog.Http(typeof(StandaloneHost).Assembly)
            .Select(f => $"{f.Name} {string.Join(",", f.Methods)} {f.Route}")
            .Order();

        Assert.Equal(declared, served);
    }

    [Fact]
    public void No_route_and_method_is_declared_twice()
    {
        var pairs = FunctionCatalog.Http(typeof(StandaloneHost).Assembly)
            .SelectMany(f => f.Methods.Select(m => $"{m.ToUpperInvariant()} {f.Route}"))
            .ToList();

        Assert.Equal(pairs.Count, pairs.Distinct().Count());
    }

    [Fact]
    public void Every_orchestrator_and_activity_has_its_Functions_trigger_under_its_type_name()
    {
        Assert.NotEmpty(DurableTasks.Orchestrators);
        foreach (var orchestrator in DurableTasks.Orchestrators)
        {
            TriggerOf(orchestrator.Name, "orchestrationTrigger");
        }

        foreach (var activity in DurableTasks.Activities)
        {
            TriggerOf(activity.Name, "activityTrigger");
        }

        var durableFunctions = Metadata.Count(f => Bindings(f).Any(b => Type(b) is "orchestrationTrigger" or "activityTrigger"));
        Assert.Equal(DurableTasks.Orchestrators.Count + DurableTasks.Activities.Count, durableFunctions);
    }

    private static JsonElement TriggerOf(string function, string type)
    {
        var entry = Metadata.SingleOrDefault(f => f.GetProperty("name").GetString() == function);
        Assert.True(entry.ValueKind == JsonValueKind.Object, $"functions.metadata has no function '{function}'.");
        return Bindings(entry).Single(b => Type(b) == type);
    }

    private static IEnumerable<JsonElement> Bindings(JsonElement function) => function.GetProperty("bindings").EnumerateArray();

    private static string? Type(JsonElement binding) => binding.GetProperty("type").GetString();
}
