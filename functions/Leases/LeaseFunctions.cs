using Aisto.Domain.Leases;
using Aisto.Functions.Http;
using Aisto.Functions.Quotes;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Quotes;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Aisto.Functions.Leases;

/// <summary>HTTP triggers for leases (../API.md §Leases): parse → call <see cref="LeaseCommands"/> → map.</summary>
public sealed class LeaseFunctions(LeaseCommands commands, QuoteService quotes, ApiKeyAuthenticator auth)
{
    private const int MaxIdempotencyKeyLength = 128;

    [Function("CreateLease")]
    public async Task<IResult> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "leases")] HttpRequest request,
        [DurableClient] DurableTaskClient durable)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
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

        var leaseRequest = LeaseRequestParser.Parse(body!);
        if (leaseRequest is null)
        {
            return Problems.Validation(body!.Errors);
        }

        var result = await commands.CreateAsync(
            durable, caller.TenantId, leaseRequest, key.Length == 0 ? null : key, request.HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            return Problems.From(result);
        }

        return Results.Accepted($"/api/leases/{result.Value!.LeaseId}", await ResourceAsync(result.Value!, request.HttpContext.RequestAborted));
    }

    [Function("GetLease")]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "leases/{leaseId}")] HttpRequest request,
        string leaseId)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        var result = await commands.GetAsync(caller.TenantId, leaseId, request.HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            return Problems.From(result);
        }

        return Results.Ok(await ResourceAsync(result.Value!, request.HttpContext.RequestAborted));
    }

    /// <summary>The lease as the API shows it; a queued lease with its place in the queue and its estimated wait (one walk for both).</summary>
    private async Task<LeaseResource> ResourceAsync(LeaseRecord lease, CancellationToken cancellationToken)
    {
        var view = await commands.QueueViewAsync(lease, cancellationToken);
        var wait = view is null ? null : await quotes.QueuedWaitAsync(lease, cancellationToken, view);
        return LeaseResource.From(lease, view?.Walk.PositionOf(lease.LeaseId), QuoteOptionResource.WaitSeconds(wait));
    }

    [Function("ListLeases")]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "leases")] HttpRequest request)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        LeaseStatus? status = null;
        if (request.Query["status"].ToString() is { Length: > 0 } text)
        {
            if (!Enum.TryParse<LeaseStatus>(text, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || char.IsDigit(text[0]))
            {
                return Problems.Validation("status", $"must be one of {string.Join(" | ", Enum.GetNames<LeaseStatus>())}.");
            }

            status = parsed;
        }

        var token = request.Query["continuationToken"].ToString();
        if (token.Length > 2048)
        {
            return Problems.Validation("continuationToken", "is not a token this API issued.");
        }

        var pageSize = 50;
        if (request.Query["pageSize"].ToString() is { Length: > 0 } size &&
            (!int.TryParse(size, out pageSize) || pageSize is < 1 or > 200))
        {
            return Problems.Validation("pageSize", "must be a whole number from 1 to 200.");
        }

        try
        {
            var page = await commands.ListAsync(
                caller.TenantId, status, token.Length == 0 ? null : token, pageSize, request.HttpContext.RequestAborted);
            return Results.Ok(new { items = page.Items.Select(l => LeaseResource.From(l)), continuationToken = page.ContinuationToken });
        }
        catch (InvalidContinuationTokenException)
        {
            return Problems.Validation("continuationToken", "is not a token this API issued.");
        }
    }

    [Function("ExtendLease")]
    public async Task<IResult> ExtendAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "leases/{leaseId}/extend")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        string leaseId)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var hours = body!.Decimal("additionalHours", required: true, LeaseLimits.MinAdditionalHours, LeaseLimits.MaxDurationHours);
        body.RejectUnknownFields();
        if (body.HasErrors)
        {
            return Problems.Validation(body.Errors);
        }

        var result = await commands.ExtendAsync(durable, caller.TenantId, leaseId, hours!.Value, request.HttpContext.RequestAborted);
        return result.Succeeded ? Results.Ok(LeaseResource.From(result.Value!)) : Problems.From(result);
    }

    [Function("CancelLease")]
    public async Task<IResult> CancelAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "leases/{leaseId}")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        string leaseId)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        var result = await commands.CancelAsync(durable, caller.TenantId, leaseId, request.HttpContext.RequestAborted);
        return result.Succeeded
            ? Results.Accepted($"/api/leases/{leaseId}", LeaseResource.From(result.Value!))
            : Problems.From(result);
    }
}
