using Aisto.Domain.Monitoring;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>
/// The last region status this process computed, read by the observable gauges (which must answer synchronously
/// and must not do I/O). Refreshed by every status read: the API, the stream and the alert timer.
/// </summary>
public static class RegionStatusCache
{
    private static IReadOnlyList<RegionStatus> latest = [];

    public static IReadOnlyList<RegionStatus> Latest => Volatile.Read(ref latest);

    public static void Update(IReadOnlyList<RegionStatus> statuses) => Volatile.Write(ref latest, statuses);
}
