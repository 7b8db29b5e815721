using Aisto.Domain.Regions;

namespace Aisto.Domain.Scheduling;

/// <summary>A request to place one workload: its resources and where it may or should run.</summary>
/// <param name="PinnedRegion">Only this region may be used; null lets the placement choose.</param>
/// <param name="ClientLocation">Where the user is, for latency-aware region choice.</param>
/// <param name="MaxLatencyMs">Regions whose estimated round trip exceeds this are not used.</param>
public sealed record PlacementRequest(
    string HolderId,
    ResourceRequest Resources,
    string Pool,
    string? PinnedRegion = null,
    GeoPoint? ClientLocation = null,
    double? MaxLatencyMs = null);
