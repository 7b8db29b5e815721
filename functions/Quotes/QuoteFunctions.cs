using Aisto.Domain.Scheduling.Quoting;
using Aisto.Functions.Http;
using Aisto.Functions.Leases;
using Aisto.Orchestrations.Quotes;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Aisto.Functions.Quotes;

/// <summary><c>POST /api/quotes</c> (../API.md §Leases): a lease body → price, total and wait per region, best first.</summary>
public sealed class QuoteFunctions(QuoteService quotes, ApiKeyAuthenticator auth)
{
    [Function("CreateQuote")]
    public async Task<IResult> QuoteAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "quotes")] HttpRequest request)
    {
        if (auth.Authenticate(request) is null)
        {
            return Problems.Unauthorized();
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

        var result = await quotes.QuoteAsync(leaseRequest, request.HttpContext.RequestAborted);
        return result.Succeeded
            ? Results.Ok(new QuoteResource([.. result.Value!.Select(QuoteOptionResource.From)]))
            : Problems.From(result);
    }
}

/// <summary>The answer of <c>POST /api/quotes</c>: the options, best first.</summary>
public sealed record QuoteResource(IReadOnlyList<QuoteOptionResource> Options);

/// <summary>One region's offer; money as 6-decimal strings, the wait in whole seconds (rounded up).</summary>
public sealed record QuoteOptionResource(
    string Region,
    string PricePerHour,
    string Total,
    long? EstimatedWaitSeconds,
    double? EstimatedLatencyMs)
{
    public static QuoteOptionResource From(QuoteOption option) => new(
        option.Region.Id,
        LeaseResource.Money(option.PricePerHour),
        LeaseResource.Money(option.Total),
        WaitSeconds(option.EstimatedWait),
        option.EstimatedLatencyMs);

    /// <summary>Whole seconds, rounded up so that a wait never reads as zero unless there is none.</summary>
    public static long? WaitSeconds(TimeSpan? wait) => wait is { } w ? (long)Math.Ceiling(w.TotalSeconds) : null;
}
