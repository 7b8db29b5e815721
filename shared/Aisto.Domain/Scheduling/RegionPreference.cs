namespace Aisto.Domain.Scheduling;

/// <summary>Which regions a request may use, nearest first, and the estimated round trip to each.</summary>
public static class RegionPreference
{
    /// <summary>
    /// The allowed regions in order of preference: the pinned one only, or every region that is up and within
    /// the latency budget, nearest first (configured order when the client location is unknown).
    /// </summary>
    public static IReadOnlyList<(RegionSnapshot Region, double RttMs)> Order(
        IReadOnlyList<RegionSnapshot> regions, PlacementRequest request)
    {
        var ordered = new List<(RegionSnapshot Region, double RttMs, int Index)>(regions.Count);
        for (var i = 0; i < regions.Count; i++)
        {
            var region = regions[i];
            if (!region.IsUp)
            {
                continue;
            }

            if (request.PinnedRegion is not null &&
                !string.Equals(region.Region.Id, request.PinnedRegion, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var rtt = request.ClientLocation is { } client ? client.EstimatedRttMsTo(region.Region.Location) : 0.0;
            if (request.MaxLatencyMs is { } budget && request.ClientLocation is not null && rtt > budget)
            {
                continue;
            }

            ordered.Add((region, rtt, i));
        }

        return ordered
            .OrderBy(r => r.RttMs)
            .ThenBy(r => r.Index)
            .Select(r => (r.Region, r.RttMs))
            .ToList();
    }
}
