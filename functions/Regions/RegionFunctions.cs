using Aisto.Functions.Monitoring;
using Aisto.Orchestrations.Monitoring;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Aisto.Functions.Regions;

/// <summary>
/// <c>GET /api/regions</c>: each region's GPUs per model and pool — total, allocated, borrowed, free, utilization,
/// queue length and p50/p95 wait over the last hour (aggregated by <see cref="RegionStatusReader"/>).
/// </summary>
public sealed class RegionFunctions(RegionStatusReader regions)
{
    [Function("ListRegions")]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "regions")] HttpRequest request)
    {
        var statuses = await regions.ReadAsync(request.HttpContext.RequestAborted);
        return Results.Ok(new { items = statuses.Select(RegionStatusResource.From) });
    }
}
