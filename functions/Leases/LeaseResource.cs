using System.Globalization;
using Aisto.Domain.Leases;
using Aisto.Orchestrations.Leases;

namespace Aisto.Functions.Leases;

/// <summary>The lease as the API shows it (../API.md §Leases).</summary>
public sealed record LeaseResource(
    string LeaseId,
    string TenantId,
    LeaseStatus Status,
    LeaseRequestResource Request,
    LeasePlacement? Placement,
    QueueInfo? Queue,
    DateTimeOffset RequestedAt,
    DateTimeOffset? ActiveAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? EndedAt,
    string PricePerHour,
    string ChargedSoFar,
    string? FailureReason,
    DateTimeOffset? PreemptAt)
{
    public static LeaseResource From(LeaseRecord lease, int? queuePosition = null, long? estimatedWaitSeconds = null) => new(
        lease.LeaseId,
        lease.TenantId,
        lease.Status,
        LeaseRequestResource.From(lease.Request),
        lease.Placement,
        lease.Status == LeaseStatus.Queued ? new QueueInfo(queuePosition, estimatedWaitSeconds) : null,
        lease.RequestedAt,
        lease.ActiveAt,
        lease.ExpiresAt,
        lease.EndedAt,
        Money(lease.PricePerHour),
        Money(lease.ChargedSoFar),
        lease.FailureReason,
        lease.PreemptAt);

    public static string Money(decimal usd) => usd.ToString("F6", CultureInfo.InvariantCulture);
}

/// <summary>A queued lease's place in the queue.</summary>
public sealed record QueueInfo(int? Position, long? EstimatedWaitSeconds);

/// <summary>The request as the tenant sent it (with defaults filled in).</summary>
public sealed record LeaseRequestResource(
    string GpuModel,
    int? GpuCount,
    decimal? GpuFraction,
    int CpuCores,
    int MemoryGiB,
    decimal DurationHours,
    LeaseClass Class,
    LeasePool Pool,
    LeasePurpose Purpose,
    string? Region,
    LocationResource? ClientLocation,
    double? MaxLatencyMs,
    PreemptionAction OnPreemption,
    Workload? Workload)
{
    public static LeaseRequestResource From(LeaseRequest r) => new(
        r.GpuModel,
        r.Gpu.IsFractional ? null : r.Gpu.WholeGpus,
        r.Gpu.IsFractional ? r.Gpu.Gpus : null,
        r.CpuCores,
        r.MemoryGiB,
        r.DurationHours,
        r.Class,
        r.Pool,
        r.Purpose,
        r.Region,
        r.ClientLocation is { } p ? new LocationResource(p.Lat, p.Lon) : null,
        r.MaxLatencyMs,
        r.OnPreemption,
        r.Workload);
}

/// <summary>A latitude/longitude pair.</summary>
public sealed record LocationResource(double Lat, double Lon);
