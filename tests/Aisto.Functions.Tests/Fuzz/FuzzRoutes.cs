using Aisto.Functions.Documentation;
using Aisto.Functions.Standalone;

namespace Aisto.Functions.Tests.Fuzz;

/// <summary>
/// The fuzz campaign's route table, read from the app itself: every HTTP function (FunctionCatalog) with its
/// documented access and query parameters (ApiRoutes). Only the valid example bodies are written here; a test fails
/// when a documented route has a body and no example, so a new route cannot escape the campaign.
/// </summary>
public static class FuzzRoutes
{
    public const string LeaseBody =
        """{"gpuModel":"L40S","gpuCount":1,"cpuCores":4,"memoryGiB":16,"durationHours":1,"class":"onDemand","pool":"leasing","purpose":"inference","region":"malaysia","clientLocation":{"lat":1.35,"lon":103.8},"maxLatencyMs":200,"workload":{"image":"ghcr.io/org/app:1","command":["run"],"env":{"A":"1"}}}""";

    /// <summary>The DePIN project the campaign's pledges and intake messages name (created before the run).</summary>
    public const string Project = "fuzz-project";

    /// <summary>Valid bodies by function name; <c>{leaseId}</c> is replaced by an Active lease of the fuzzing tenant.</summary>
    public static IReadOnlyDictionary<string, string> ValidBodies { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["CreateLease"] = LeaseBody,
        ["CreateQuote"] = """{"gpuModel":"A100","gpuCount":2,"durationHours":6,"class":"spot","pool":"leasing","purpose":"training","region":null,"clientLocation":{"lat":1.35,"lon":103.8},"maxLatencyMs":80}""",
        ["ExtendLease"] = """{"additionalHours":2}""",
        ["CreateIncubationGrant"] = """{"tenantId":"tenant-b","gpuHours":10,"expiresAt":"2027-01-31T00:00:00Z"}""",
        ["StartPayoutEpoch"] = """{"epoch":0}""",
        ["CreateDepinProject"] = """{"projectId":"fuzz-other","name":"Fuzzed project","priority":5,"rewardPerGpuHour":"1000000","maxGpus":4}""",
        ["CreateDepinPledge"] = """{"leaseId":"{leaseId}","projectId":"fuzz-project","gpuCount":1,"payoutAddress":"0x00000000000000000000000000000000000000A1"}""",
    };

    /// <summary>A valid intake message; <c>{taskId}</c> is replaced per message.</summary>
    public const string TaskMessage =
        """{"taskId":"{taskId}","projectId":"fuzz-project","gpuModel":"A100","gpuCount":1,"gpuFraction":null,"durationMinutes":0.02,"image":"ghcr.io/depin/worker:1","command":["work"]}""";

    public static IReadOnlyList<HttpFunction> Served { get; } = FunctionCatalog.Http(typeof(StandaloneHost).Assembly);

    /// <summary>Every served route, called as a tenant (tenant routes), as the operator (operator routes) or with no key.</summary>
    public static IReadOnlyList<FuzzRoute> All(string tenantKey, string operatorKey, string leaseId) =>
        [.. Served
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .SelectMany(f => f.Methods.Select(m =>
            {
                var doc = ApiRoutes.All[f.Name];
                var key = doc.Access switch
                {
                    RouteAccess.Operator => operatorKey,
                    RouteAccess.Tenant => tenantKey,
                    _ => null,
                };
                var body = ValidBodies.TryGetValue(f.Name, out var b) ? b.Replace("{leaseId}", leaseId, StringComparison.Ordinal) : null;
                return new FuzzRoute(f.Name, new HttpMethod(m.ToUpperInvariant()), "/api/" + f.Route, body, key, [.. (doc.Query ?? []).Select(q => q.Name)]);
            }))];
}
