using Aisto.Orchestrations.Regions;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Aisto.Functions.Health;

/// <summary><c>GET /api/health</c>: the app answers and its storage is reachable.</summary>
public sealed class HealthFunctions(IInventoryStore inventory, TimeProvider clock)
{
    [Function("Health")]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request)
    {
        try
        {
            var regions = await inventory.SnapshotAsync(request.HttpContext.RequestAborted);
            return Results.Ok(new { status = "healthy", time = clock.GetUtcNow(), regions = regions.Count, storage = "ok" });
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            return Results.Json(
                new { status = "unhealthy", time = clock.GetUtcNow(), storage = ex.Message },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
