using Aisto.Domain.Monitoring;

namespace Aisto.Functions.Monitoring;

/// <summary>The JSON shape of a region's status (API.md §Regions and monitoring), shared by the API and the stream.</summary>
public static class RegionStatusResource
{
    public static object From(RegionStatus region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return new
        {
            id = region.Region.Id,
            displayName = region.Region.DisplayName,
            location = new { lat = region.Region.Location.Lat, lon = region.Region.Location.Lon },
            status = region.IsUp ? "up" : "down",
            nodes = region.Nodes,
            totalGpus = region.TotalGpus,
            allocatedGpus = region.AllocatedGpus,
            utilization = region.Utilization,
            queueLength = region.QueueLength,
            gpus = region.Models.Select(m => new
            {
                model = m.Model,
                nodes = m.Nodes,
                total = m.Total,
                allocated = m.Allocated,
                borrowed = m.Pools.Sum(p => p.Borrowed),
                free = m.Free,
                utilization = m.Utilization,
                queueLength = m.QueueLength,
                oldestQueuedSeconds = m.OldestQueuedSeconds,
                wait = Wait(m.Wait),
                pools = m.Pools.ToDictionary(p => p.Pool, p => new
                {
                    total = p.Total,
                    allocated = p.Allocated,
                    borrowed = p.Borrowed,
                    free = p.Free,
                    utilization = p.Utilization,
                    queueLength = p.QueueLength,
                    wait = Wait(p.Wait),
                }),
            }),
        };
    }

    private static object Wait(WaitPercentiles wait) => new { samples = wait.Samples, p50Seconds = wait.P50Seconds, p95Seconds = wait.P95Seconds };
}
