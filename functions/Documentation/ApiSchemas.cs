using Microsoft.OpenApi.Models;
using static Aisto.Functions.Documentation.ApiSchema;

namespace Aisto.Functions.Documentation;

/// <summary>The named schemas of the API (components/schemas), as ../API.md defines them.</summary>
public static class ApiSchemas
{
    public static IReadOnlyDictionary<string, OpenApiSchema> All { get; } = new Dictionary<string, OpenApiSchema>(StringComparer.Ordinal)
    {
        ["Problem"] = Obj(
            "RFC 7807 problem details; validation problems name each bad field in errors.",
            ("type", Str("A URI naming the problem kind.", example: "https://aisto.dev/problems/validation")),
            ("title", Str()),
            ("status", Int()),
            ("detail?", Str()),
            ("errors?", Map(Arr(Str()), "Field (JSON path) → messages."))),
        ["GeoPoint"] = Obj(null, ("lat", Num("Latitude in degrees.", -90, 90)), ("lon", Num("Longitude in degrees.", -180, 180))),
        ["Workload"] = Obj(
            "What to run.",
            ("image", Str("Container image.", example: "ghcr.io/org/train:1.2")),
            ("command?", Arr(Str())),
            ("env?", Map(Str()))),
        ["LeaseRequest"] = Obj(
            "A request for GPU capacity. Give gpuCount (1–8 whole GPUs) or gpuFraction (0.1–0.9 of one GPU), not both.",
            ("gpuModel", Str("A GPU model id (GET /api/regions lists them).", example: "H100")),
            ("gpuCount?", Int(null, 1, 8)),
            ("gpuFraction?", Num(null, 0.1m, 0.9m)),
            ("cpuCores?", Int()),
            ("memoryGiB?", Int()),
            ("durationHours", Num(null, 0.25m, 720m)),
            ("class?", Enum("Billing class.", "onDemand", "spot", "reserved")),
            ("pool?", Enum("Capacity pool; incubation needs a grant.", "leasing", "incubation")),
            ("purpose?", Enum("What the GPUs are for.", "training", "dataProcessing", "depinDeployment", "inference")),
            ("region?", Str("A region id to pin, or null to let the platform choose.").Nullable()),
            ("clientLocation?", Ref("GeoPoint").Nullable()),
            ("maxLatencyMs?", Num().Nullable()),
            ("onPreemption?", Enum("Spot only.", "end", "requeue")),
            ("workload?", Ref("Workload").Nullable())),
        ["Lease"] = Obj(
            "A lease and where it stands.",
            ("leaseId", Str(example: "lse_5eb1da8078b5485ea741a75f")),
            ("tenantId", Str()),
            ("status", Enum("Lifecycle status.", "Queued", "Provisioning", "Active", "Releasing", "Released", "Failed", "Cancelled", "Expired", "Preempted")),
            ("request", Ref("LeaseRequest")),
            ("placement", Obj("Where it runs, once placed.", ("region", Str()), ("cluster", Str()), ("nodes", Arr(Str()))).Nullable()),
            ("queue", Obj("Only while queued.", ("position", Int().Nullable()), ("estimatedWaitSeconds", Int().Nullable())).Nullable()),
            ("requestedAt", Time()),
            ("activeAt", Time().Nullable()),
            ("expiresAt", Time().Nullable()),
            ("endedAt", Time().Nullable()),
            ("pricePerHour", Money("Price per hour")),
            ("chargedSoFar", Money("Charged so far")),
            ("failureReason", Str().Nullable())),
        ["WaitPercentiles"] = Obj(
            "Request → Active waits of leases that started within the last hour, in seconds (nearest rank).",
            ("samples", Int()), ("p50Seconds", Num().Nullable()), ("p95Seconds", Num().Nullable())),
        ["PoolStatus"] = Obj(
            "One capacity pool of one GPU model in one region (GPU counts; fractions are shared GPUs).",
            ("total", Num("The pool's guaranteed share (50 % leasing, 45 % DePIN, 5 % incubation).")),
            ("allocated", Num("GPUs the pool's work holds.")),
            ("borrowed", Num("GPUs held beyond the share, borrowed from other pools' idle quota.")),
            ("free", Num("Unused part of the share.")),
            ("utilization", Num("allocated / total.")),
            ("queueLength", Int()),
            ("wait", Ref("WaitPercentiles"))),
        ["GpuModelStatus"] = Obj(
            "One GPU model in one region.",
            ("model", Str(example: "H100")),
            ("nodes", Int()),
            ("total", Int()),
            ("allocated", Num()),
            ("borrowed", Num()),
            ("free", Num()),
            ("utilization", Num()),
            ("queueLength", Int("Leases waiting for this model here (unpinned leases count in every region that has the model).")),
            ("oldestQueuedSeconds", Num().Nullable()),
            ("wait", Ref("WaitPercentiles")),
            ("pools", Obj(null, ("leasing", Ref("PoolStatus")), ("depin", Ref("PoolStatus")), ("incubation", Ref("PoolStatus"))))),
        ["RegionStatus"] = Obj(
            "A region now.",
            ("id", Str(example: "singapore")),
            ("displayName", Str()),
            ("location", Ref("GeoPoint")),
            ("status", Enum("Whether the region answers.", "up", "down")),
            ("nodes", Int()),
            ("totalGpus", Int()),
            ("allocatedGpus", Num()),
            ("utilization", Num()),
            ("queueLength", Int()),
            ("gpus", Arr(Ref("GpuModelStatus")))),
        ["Alert"] = Obj(
            "An alert; while one with the same key is open, the condition is not raised again.",
            ("alertId", Str()),
            ("key", Str("Kind/subject, e.g. UtilizationHigh/us-east/H100.")),
            ("kind", Enum("What went wrong.", "NodeDown", "RegionDown", "QueueWaitAboveSlo", "UtilizationHigh", "UtilizationLow", "ProvisioningFailed", "PayoutFailed")),
            ("severity", Enum("Urgency.", "Info", "Warning", "Critical")),
            ("region", Str().Nullable()),
            ("message", Str()),
            ("state", Enum("Open until the condition is gone.", "Open", "Resolved")),
            ("raisedAt", Time()),
            ("resolvedAt", Time().Nullable())),
        ["LeaseChange"] = Obj(
            "A lease entering a status (monitor stream).",
            ("leaseId", Str()), ("tenantId", Str()), ("status", Str()), ("region", Str().Nullable()), ("gpuModel", Str()), ("gpus", Num()),
            ("pool", Str()), ("requestedAt", Time()), ("at", Time()), ("failureReason", Str().Nullable())),
        ["MonitorSnapshot"] = Obj(
            "The data of a 'snapshot' event of GET /api/monitor/stream.",
            ("at", Time()),
            ("regions", Arr(Ref("RegionStatus"))),
            ("recentLeases", Arr(Ref("LeaseChange"), "Latest status of leases that changed within the last hour, newest first.")),
            ("openAlerts", Arr(Ref("Alert")))),
        ["Health"] = Obj(null, ("status", Enum("healthy or unhealthy", "healthy", "unhealthy")), ("time", Time()), ("regions?", Int()), ("storage", Str())),
    };
}
