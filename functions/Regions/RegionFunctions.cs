using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Aisto.Functions.Regions;

/// <summary><c>GET /api/regions</c>: each region's GPUs per model and pool — total, allocated, free, utilization, queue.</summary>
public sealed class RegionFunctions(IInventoryStore inventory, ILeaseStore leases)
{
    [Function("ListRegions")]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "regions")] HttpRequest request)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var snapshots = await inventory.SnapshotAsync(cancellationToken);
        var queued = await leases.ListQueuedAsync(10_000, cancellationToken);
        return Results.Ok(new { items = snapshots.Select(s => RegionView(s, queued)) });
    }

    private static object RegionView(RegionSnapshot region, IReadOnlyList<QueuedLease> queued) => new
    {
        id = region.Region.Id,
        displayName = region.Region.DisplayName,
        location = new { lat = region.Region.Location.Lat, lon = region.Region.Location.Lon },
        status = region.IsUp ? "up" : "down",
        gpus = region.Nodes
            .GroupBy(n => n.Model, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var total = g.Sum(n => n.GpuCount);
                var allocated = g.Sum(n => n.GpuMilliUsed.Sum()) / (decimal)GpuDemand.MilliPerGpu;
                return new
                {
                    model = g.Key,
                    nodes = g.Count(),
                    total,
                    allocated,
                    free = total - allocated,
                    utilization = total == 0 ? 0m : Math.Round(allocated / total, 4),
                    pools = g.SelectMany(n => n.Allocations.Values)
                        .GroupBy(a => a.Pool, StringComparer.Ordinal)
                        .ToDictionary(p => p.Key, p => new { allocated = p.Sum(a => a.TotalGpuMilli) / (decimal)GpuDemand.MilliPerGpu }),
                    queueLength = queued.Count(l =>
                        string.Equals(l.GpuModel, g.Key, StringComparison.OrdinalIgnoreCase) &&
                        (l.Region is null || string.Equals(l.Region, region.Region.Id, StringComparison.OrdinalIgnoreCase))),
                };
            }),
    };
}
