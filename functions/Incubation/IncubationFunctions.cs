using System.Globalization;
using System.Text.RegularExpressions;
using Aisto.Functions.Http;
using Aisto.Functions.Leases;
using Aisto.Orchestrations.Incubation;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Aisto.Functions.Incubation;

/// <summary>Incubation grants (../API.md §Incubation grants): operators issue them, tenants see their own.</summary>
public sealed partial class IncubationFunctions(IncubationGrants grants, ApiKeyAuthenticator auth)
{
    private const int MaxIdempotencyKeyLength = 128;

    [Function("CreateIncubationGrant")]
    public async Task<IResult> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "incubation/grants")] HttpRequest request)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        if (!caller.IsOperator)
        {
            return Problems.Forbidden();
        }

        var key = request.Headers["Idempotency-Key"].ToString();
        if (key.Length > MaxIdempotencyKeyLength || key.Any(c => char.IsControl(c) || c > '~'))
        {
            return Problems.Validation("Idempotency-Key", $"must be at most {MaxIdempotencyKeyLength} printable ASCII characters.");
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var tenantId = body!.String("tenantId", required: true, maxLength: 64, s => TenantPattern().IsMatch(s), "must be a tenant id such as tenant-a.");
        var gpuHours = body.Decimal("gpuHours", required: true, IncubationGrants.MinGpuHours, IncubationGrants.MaxGpuHours);
        var expiresText = body.String("expiresAt", required: true, maxLength: 40);
        DateTimeOffset? expiresAt = null;
        if (expiresText is not null)
        {
            if (DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                expiresAt = parsed;
            }
            else
            {
                body.Error("expiresAt", "must be an ISO-8601 timestamp such as 2027-01-31T00:00:00Z.");
            }
        }

        body.RejectUnknownFields();
        if (body.HasErrors || tenantId is null || gpuHours is null || expiresAt is null)
        {
            return Problems.Validation(body.Errors);
        }

        var result = await grants.CreateAsync(tenantId, gpuHours.Value, expiresAt.Value, key.Length == 0 ? null : key, request.HttpContext.RequestAborted);
        return result.Succeeded
            ? Results.Created($"/api/incubation/grants/{result.Value!.GrantId}", GrantResource.From(result.Value))
            : Problems.From(result);
    }

    [Function("ListIncubationGrants")]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "incubation/grants")] HttpRequest request)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        var list = await grants.ListAsync(caller.IsOperator ? null : caller.TenantId, request.HttpContext.RequestAborted);
        return Results.Ok(new { items = list.Select(GrantResource.From) });
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex TenantPattern();
}

/// <summary>A grant as the API shows it; hours as decimal strings like money, timestamps ISO-8601 UTC.</summary>
public sealed record GrantResource(
    string Id,
    string TenantId,
    string GpuHours,
    string UsedGpuHours,
    string RemainingGpuHours,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt)
{
    public static GrantResource From(IncubationGrant g) => new(
        g.GrantId, g.TenantId, LeaseResource.Money(g.GpuHours), LeaseResource.Money(g.UsedGpuHours),
        LeaseResource.Money(g.RemainingGpuHours), g.ExpiresAt, g.CreatedAt);
}
