using System.Globalization;
using Aisto.Domain.Payouts;
using Aisto.Functions.Http;
using Aisto.Orchestrations.Payouts;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Aisto.Functions.Payouts;

/// <summary>
/// HTTP triggers of ../API.md §Payouts. The transparency routes (list, report, claim) need no key; starting an
/// epoch is for operators.
/// </summary>
public sealed class PayoutFunctions(PayoutCommands commands, ApiKeyAuthenticator auth)
{
    [Function("ListPayoutEpochs")]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "payouts/epochs")] HttpRequest request)
    {
        var epochs = await commands.ListAsync(request.HttpContext.RequestAborted);
        return Results.Ok(new { items = epochs.Select(PayoutEpochResource.Summary) });
    }

    [Function("GetPayoutEpoch")]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "payouts/epochs/{epoch}")] HttpRequest request,
        string epoch)
    {
        if (ParseEpoch(epoch) is not { } number)
        {
            return EpochProblem();
        }

        var result = await commands.GetReportAsync(number, request.HttpContext.RequestAborted);
        return result.Succeeded
            ? Results.Ok(PayoutEpochResource.Report(result.Value.Record, result.Value.Claims))
            : Problems.From(result);
    }

    [Function("GetPayoutClaim")]
    public async Task<IResult> GetClaimAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "payouts/epochs/{epoch}/claims/{address}")] HttpRequest request,
        string epoch,
        string address)
    {
        var number = ParseEpoch(epoch);
        var account = ParseAddress(address);
        if (number is null || account is null)
        {
            var errors = new Dictionary<string, string[]>();
            if (number is null)
            {
                errors["epoch"] = [EpochRule];
            }

            if (account is null)
            {
                errors["address"] = ["must be a 20-byte hex address: 0x and 40 hex digits."];
            }

            return Problems.Validation(errors);
        }

        var result = await commands.GetClaimAsync(number.Value, account, request.HttpContext.RequestAborted);
        return result.Succeeded ? Results.Ok(PayoutEpochResource.Claim(result.Value!)) : Problems.From(result);
    }

    [Function("StartPayoutEpoch")]
    public async Task<IResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "payouts/epochs")] HttpRequest request,
        [DurableClient] DurableTaskClient durable)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        if (!caller.IsOperator)
        {
            return Problems.Forbidden();
        }

        // The body is optional: no body (or no "epoch") runs the last ended epoch.
        long? epoch = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var (body, problem) = await JsonBody.ReadObjectAsync(request);
            if (problem is not null)
            {
                return problem;
            }

            var value = body!.Decimal("epoch", required: false, 0, long.MaxValue);
            if (value is { } d && d != decimal.Truncate(d))
            {
                body.Error("epoch", EpochRule);
            }

            body.RejectUnknownFields();
            if (body.HasErrors)
            {
                return Problems.Validation(body.Errors);
            }

            epoch = value is { } v ? (long)v : null;
        }

        var result = await commands.StartAsync(durable, epoch, request.HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            return Problems.From(result);
        }

        var start = result.Value!;
        var statusUrl = string.Create(CultureInfo.InvariantCulture, $"/api/payouts/epochs/{start.Epoch}");
        return Results.Accepted(statusUrl, new { epoch = start.Epoch, status = start.Status.ToString(), started = start.Started, statusUrl });
    }

    private const string EpochRule = "must be a whole number from 0.";

    private static long? ParseEpoch(string text) =>
        text.Length is > 0 and <= 19 && text.All(char.IsAsciiDigit) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? epoch
            : null;

    private static string? ParseAddress(string text)
    {
        if (text.Length != 42)
        {
            return null;
        }

        try
        {
            return EthereumAddress.Normalize(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IResult EpochProblem() => Problems.Validation("epoch", EpochRule);
}
