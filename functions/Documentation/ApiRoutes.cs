using Microsoft.OpenApi.Models;
using static Aisto.Functions.Documentation.ApiSchema;

namespace Aisto.Functions.Documentation;

/// <summary>
/// THE place to document an HTTP route: one entry per <c>[Function]</c> name. Paths, methods and path parameters are
/// read from the functions themselves (FunctionCatalog), so the document cannot miss or misspell a route; a test
/// fails when a function has no entry here. Add new schemas to <see cref="ApiSchemas"/>.
/// </summary>
public static class ApiRoutes
{
    private static readonly ApiResponse Unauthorized = new("Missing or unknown API key.", Ref("Problem"), "application/problem+json");
    private static readonly ApiResponse Forbidden = new("Operators only.", Ref("Problem"), "application/problem+json");
    private static readonly ApiResponse NotFound = new("Not found (or another tenant's).", Ref("Problem"), "application/problem+json");
    private static readonly ApiResponse Invalid = new("Invalid input; errors names each field.", Ref("Problem"), "application/problem+json");
    private static readonly ApiResponse Conflict = new("Conflicts with the resource's state.", Ref("Problem"), "application/problem+json");

    public static IReadOnlyDictionary<string, RouteDoc> All { get; } = new Dictionary<string, RouteDoc>(StringComparer.Ordinal)
    {
        ["Health"] = new("Health", "The app answers and its storage is reachable", RouteAccess.Public,
            Responses: new Dictionary<int, ApiResponse> { [200] = new("Healthy.", Ref("Health")), [503] = new("Storage unreachable.", Ref("Health")) }),

        ["CreateLease"] = new("Leases", "Request GPU capacity", RouteAccess.Tenant,
            "Places the lease on the most suitable capacity; it is Queued until capacity is reserved, then Provisioning and Active.",
            Body: Ref("LeaseRequest"),
            Headers: [Header("Idempotency-Key", "Same key + same body → same lease; same key + different body → 409. At most 128 printable ASCII characters.")],
            Responses: new Dictionary<int, ApiResponse>
            {
                [202] = new("Accepted; Location is the lease's URL.", Ref("Lease")),
                [400] = Invalid,
                [401] = Unauthorized,
                [409] = Conflict,
            }),
        ["GetLease"] = new("Leases", "One of your leases", RouteAccess.Tenant,
            Responses: new Dictionary<int, ApiResponse> { [200] = new("The lease.", Ref("Lease")), [401] = Unauthorized, [404] = NotFound }),
        ["ListLeases"] = new("Leases", "Your leases, a page at a time", RouteAccess.Tenant,
            Query:
            [
                QueryParam("status", "Only leases in this status.", Enum("Lease status.", "Queued", "Provisioning", "Active", "Releasing", "Released", "Failed", "Cancelled", "Expired", "Preempted")),
                QueryParam("continuationToken", "From the previous page.", Str()),
                QueryParam("pageSize", "1–200 (default 50).", Int(null, 1, 200)),
            ],
            Responses: new Dictionary<int, ApiResponse> { [200] = new("A page of leases.", Page("Lease", paged: true)), [400] = Invalid, [401] = Unauthorized }),
        ["ExtendLease"] = new("Leases", "Extend an Active lease", RouteAccess.Tenant,
            Body: Obj(null, ("additionalHours", Num(null, 0.25m, 720m))),
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The extended lease.", Ref("Lease")),
                [400] = Invalid,
                [401] = Unauthorized,
                [404] = NotFound,
                [409] = Conflict,
            }),
        ["CancelLease"] = new("Leases", "Cancel a queued lease or release an active one", RouteAccess.Tenant, "Billing stops at that second.",
            Responses: new Dictionary<int, ApiResponse> { [202] = new("The lease, ending.", Ref("Lease")), [401] = Unauthorized, [404] = NotFound }),

        ["ListRegions"] = new("Regions and monitoring", "Every region's GPUs per model and pool, queues and waits", RouteAccess.Public,
            "Per region: id, display name, location, and per GPU model and pool: total, allocated, borrowed, free GPUs, utilization, " +
            "queue length and p50/p95 wait (request → Active) over the last hour.",
            Responses: new Dictionary<int, ApiResponse> { [200] = new("The regions.", Page("RegionStatus")) }),
        ["MonitorStream"] = new("Regions and monitoring", "Live region snapshots and alerts (server-sent events)", RouteAccess.Operator,
            "text/event-stream. Events: 'hello' ({ intervalSeconds }), 'snapshot' (MonitorSnapshot, every Aisto:Monitoring:SnapshotInterval), " +
            "'alert' (Alert, as raised or resolved; the SSE id is the alert id). Send the key in the Authorization header " +
            "(the dashboard reads the stream with fetch, so keys never appear in URLs).",
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The event stream; each event's data is JSON (MonitorSnapshot or Alert).", Str("Server-sent events."), "text/event-stream"),
                [401] = Unauthorized,
                [403] = Forbidden,
            }),
        ["ListAlerts"] = new("Regions and monitoring", "Recent alerts", RouteAccess.Operator,
            Query:
            [
                QueryParam("state", "Only Open or Resolved alerts.", Enum("Alert state.", "Open", "Resolved")),
                QueryParam("hours", "How far back (1–720, default 24).", Int(null, 1, 720)),
            ],
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("Alerts, newest first.", Page("Alert")),
                [400] = Invalid,
                [401] = Unauthorized,
                [403] = Forbidden,
            }),
        ["GetRegionScaling"] = new("Regions and monitoring", "A region's autoscaling: forecasts vs actual demand, and actions", RouteAccess.Tenant,
            "Per node pool: status, latest demand sample, forecast vs actual (with error and band coverage), latest forecast and " +
            "recent scaling actions (docs/autoscaling.md).",
            Query: [QueryParam("hours", "How far back (1–168, default 24).", Int(null, 1, 168))],
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The region's scaling view.", Obj("See docs/autoscaling.md for every field.", ("region", Str()), ("pools", Arr(new OpenApiSchema { Type = "object" })))),
                [400] = Invalid,
                [401] = Unauthorized,
                [404] = NotFound,
            }),

        ["CreateQuote"] = new("Leases", "Price, total and predicted wait per region, best first; nothing is reserved", RouteAccess.Tenant,
            "Takes a lease body (workload not needed). Best first: can start now, then shorter wait, lower total, lower latency.",
            Body: Ref("LeaseRequest"),
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The options.", Obj(null, ("options", Arr(Obj(null,
                    ("region", Str()), ("pricePerHour", Money("Hourly price")), ("total", Money("Price for the whole duration")),
                    ("estimatedWaitSeconds", Int()), ("estimatedLatencyMs", Num().Nullable())))))),
                [400] = Invalid,
                [401] = Unauthorized,
            }),

        ["CreateIncubationGrant"] = new("Incubation grants", "Grant a tenant incubation GPU-hours", RouteAccess.Operator,
            Body: Obj(null, ("tenantId", Str()), ("gpuHours", Num(null, 0.01m)), ("expiresAt", Time())),
            Headers: [Header("Idempotency-Key", "Same key + same body → same grant.")],
            Responses: new Dictionary<int, ApiResponse>
            {
                [201] = new("The grant.", IncubationGrant()),
                [400] = Invalid,
                [401] = Unauthorized,
                [403] = Forbidden,
                [409] = Conflict,
            }),
        ["ListIncubationGrants"] = new("Incubation grants", "Incubation grants (operator: all; tenant: own)", RouteAccess.Tenant,
            Responses: new Dictionary<int, ApiResponse> { [200] = new("The grants.", Obj(null, ("items", Arr(IncubationGrant())))), [401] = Unauthorized }),

        ["ListPayoutEpochs"] = new("Payouts", "Payout epochs: status, pool and root", RouteAccess.Public,
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The epochs.", Obj(null, ("items", Arr(Obj(null,
                ("epoch", Int()), ("status", Enum("Epoch status.", "Pending", "Running", "Published", "Completed", "Failed")),
                ("periodStart", Time()), ("periodEnd", Time()), ("dividendPool", BaseUnits("Dividend pool")), ("merkleRoot", Str().Nullable()))))))
            }),
        ["GetPayoutEpoch"] = new("Payouts", "An epoch's report, from which anyone can recompute the root", RouteAccess.Public,
            "Revenue, costs, profit, dividend share and pool, snapshot block, holders, roll-over, allocations (index, account, amount), " +
            "Merkle root and publish transaction (docs/payouts.md).",
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The report.", new OpenApiSchema { Type = "object", Description = "See API.md §Payouts and docs/payouts.md." }),
                [400] = Invalid,
                [404] = NotFound,
            }),
        ["GetPayoutClaim"] = new("Payouts", "A holder's amount and Merkle proof for an epoch", RouteAccess.Public,
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The claim.", Obj(null, ("account", Str()), ("index", Int()), ("amount", BaseUnits("Amount")), ("proof", Arr(Str("32-byte hash, 0x-hex"))))),
                [400] = Invalid,
                [404] = NotFound,
            }),
        ["StartPayoutEpoch"] = new("Payouts", "Run an epoch's payout now (the timer does it on schedule)", RouteAccess.Operator,
            Body: Obj(null, ("epoch", Int("Defaults to the last settled epoch.").Nullable())),
            Responses: new Dictionary<int, ApiResponse>
            {
                [202] = new("Started (or already running/completed); Location is the status URL.", new OpenApiSchema { Type = "object" }),
                [400] = Invalid,
                [401] = Unauthorized,
                [403] = Forbidden,
            }),

        ["CreateDepinProject"] = new("DePIN", "Register a DePIN project", RouteAccess.Operator,
            Body: Obj(null, ("projectId", Str()), ("name", Str()), ("priority", Int(null, 1, 10)), ("rewardPerGpuHour", BaseUnits("Reward per GPU-hour")), ("maxGpus", Int(null, 1))),
            Responses: new Dictionary<int, ApiResponse>
            {
                [201] = new("The project.", new OpenApiSchema { Type = "object" }),
                [400] = Invalid,
                [401] = Unauthorized,
                [403] = Forbidden,
                [409] = Conflict,
            }),
        ["ListDepinProjects"] = new("DePIN", "DePIN projects with their task and reward statistics", RouteAccess.Operator,
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The projects.", Obj(null, ("items", Arr(new OpenApiSchema { Type = "object" })))),
                [401] = Unauthorized,
                [403] = Forbidden,
            }),
        ["GetDepinTask"] = new("DePIN", "A DePIN task", RouteAccess.Tenant,
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The task.", Obj(null, ("taskId", Str()), ("projectId", Str()),
                    ("status", Enum("Task status.", "Queued", "Running", "Completed", "Failed", "Rejected")),
                    ("placement", new OpenApiSchema { Type = "object", Nullable = true }), ("gpuSeconds", Int()), ("failureReason", Str().Nullable()))),
                [401] = Unauthorized,
                [404] = NotFound,
            }),
        ["CreateDepinPledge"] = new("DePIN", "Lend GPUs of your Active lease to a project", RouteAccess.Tenant,
            Body: Obj(null, ("leaseId", Str()), ("projectId", Str()), ("gpuCount", Int(null, 1)), ("payoutAddress", Str("0x-address"))),
            Responses: new Dictionary<int, ApiResponse>
            {
                [201] = new("The pledge.", new OpenApiSchema { Type = "object" }),
                [400] = Invalid,
                [401] = Unauthorized,
                [404] = NotFound,
                [409] = Conflict,
            }),
        ["EndDepinPledge"] = new("DePIN", "End a pledge", RouteAccess.Tenant,
            Responses: new Dictionary<int, ApiResponse> { [200] = new("The ended pledge.", new OpenApiSchema { Type = "object" }), [401] = Unauthorized, [404] = NotFound }),

        ["Dashboard"] = new("Documentation", "The live dashboard (static files)", RouteAccess.Public,
            "GET /api/dashboard/ is the page; / and /dashboard redirect to it on the standalone runtime.",
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The file.", Str("HTML, CSS or JavaScript."), "text/html"),
                [404] = NotFound,
            }),
        ["OpenApiDocument"] = new("Documentation", "This OpenAPI 3 document", RouteAccess.Public,
            Responses: new Dictionary<int, ApiResponse> { [200] = new("The document.", new OpenApiSchema { Type = "object" }) }),
        ["ApiReference"] = new("Documentation", "Interactive API reference (Scalar)", RouteAccess.Public,
            "GET /api/docs is the page; its script is served from the Scalar.AspNetCore package, so it works offline.",
            Responses: new Dictionary<int, ApiResponse>
            {
                [200] = new("The page or its script.", Str("HTML or JavaScript."), "text/html"),
                [404] = NotFound,
            }),
    };

    private static OpenApiSchema IncubationGrant() => Obj(null,
        ("grantId", Str()), ("tenantId", Str()), ("gpuHours", Num()), ("usedGpuHours", Num()), ("expiresAt", Time()), ("createdAt", Time()));

    private static OpenApiParameter QueryParam(string name, string description, OpenApiSchema schema) =>
        new() { Name = name, In = ParameterLocation.Query, Description = description, Schema = schema };

    private static OpenApiParameter Header(string name, string description) =>
        new() { Name = name, In = ParameterLocation.Header, Description = description, Schema = Str() };
}
