using Aisto.Domain.Regions;

namespace Aisto.Domain.Scheduling.Quoting;

/// <summary>
/// What a quote or a wait estimate looks at: every region's nodes with what they hold, the leases waiting for
/// capacity (oldest first), and when each holder is expected to give its capacity back.
/// </summary>
/// <param name="ExpectedEnds">Holder id (lease id) → when it is expected to free its capacity.</param>
/// <param name="UnknownHolderEnd">How long a holder with no known end (e.g. a lease still provisioning, a DePIN
/// task) is assumed to keep its capacity from <paramref name="AsOf"/>.</param>
public sealed record CapacityOutlook(
    IReadOnlyList<RegionSnapshot> Regions,
    IReadOnlyList<WaitingLease> Queue,
    IReadOnlyDictionary<string, DateTimeOffset> ExpectedEnds,
    DateTimeOffset AsOf,
    TimeSpan UnknownHolderEnd);

/// <summary>A lease waiting for capacity, as far as wait estimates need it.</summary>
/// <param name="Region">The pinned region, or null when any region will do.</param>
public sealed record WaitingLease(string Id, string GpuModel, string? Region, int GpuMilli, TimeSpan Duration);

/// <summary>One way to run a request: where, at what price, when it could start and how far it is from the client.</summary>
/// <param name="EstimatedWait">Null when the region's running work alone can never free enough for it.</param>
/// <param name="EstimatedLatencyMs">Null when the request gives no client location.</param>
public sealed record QuoteOption(
    RegionInfo Region,
    decimal PricePerHour,
    decimal Total,
    TimeSpan? EstimatedWait,
    double? EstimatedLatencyMs)
{
    public bool StartsNow => EstimatedWait == TimeSpan.Zero;
}
