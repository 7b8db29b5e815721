using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;

namespace Aisto.Domain.Leases;

/// <summary>A tenant's request for GPU capacity, as accepted by the API (already range-checked).</summary>
public sealed record LeaseRequest(
    string GpuModel,
    GpuDemand Gpu,
    int CpuCores,
    int MemoryGiB,
    decimal DurationHours,
    LeaseClass Class,
    LeasePool Pool,
    LeasePurpose Purpose,
    string? Region,
    GeoPoint? ClientLocation,
    double? MaxLatencyMs,
    PreemptionAction OnPreemption,
    Workload? Workload)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Math.Round(DurationHours * 3600m, 0));

    public ResourceRequest Resources => ResourceRequest.For(GpuModel, Gpu, CpuCores, MemoryGiB);

    public PlacementRequest ToPlacement(string leaseId) =>
        new(leaseId, Resources, Pool.ToString().ToLowerInvariant(), Region, ClientLocation, MaxLatencyMs);
}
