using System.Globalization;
using System.Numerics;
using Aisto.Domain.Depin;
using Aisto.Domain.Payouts;
using Aisto.Functions.Http;
using Aisto.Orchestrations.Depin;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Aisto.Functions.Depin;

/// <summary>HTTP triggers for DePIN (../API.md §DePIN): projects (operator), pledges (tenants), tasks.</summary>
public sealed class DepinFunctions(DepinCommands commands, ApiKeyAuthenticator auth)
{
    private const int MaxRewardDigits = 60;

    [Function("CreateDepinProject")]
    public async Task<IResult> CreateProjectAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "depin/projects")] HttpRequest request)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        if (!caller.IsOperator)
        {
            return Problems.Forbidden();
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var projectId = body!.String("projectId", required: true, DepinTaskMessage.MaxIdLength, DepinTaskMessage.IsValidId,
            "must be letters, digits, '-', '_', '.' or ':'.");
        var name = body.String("name", required: true, 200);
        var priority = body.Int("priority", required: true, WeightedFairQueue.MinPriority, WeightedFairQueue.MaxPriority);
        var reward = body.String("rewardPerGpuHour", required: true, MaxRewardDigits, s => s.All(char.IsAsciiDigit),
            "must be a whole number of token base units, as a string of digits.");
        var maxGpus = body.Int("maxGpus", required: true, 1, 100_000);
        body.RejectUnknownFields();
        if (body.HasErrors)
        {
            return Problems.Validation(body.Errors);
        }

        var result = await commands.CreateProjectAsync(
            projectId!, name!, priority!.Value, BigInteger.Parse(reward!, CultureInfo.InvariantCulture), maxGpus!.Value, request.HttpContext.RequestAborted);
        return result.Succeeded
            ? Results.Created($"/api/depin/projects/{projectId}", DepinResources.Project(result.Value!))
            : Problems.From(result);
    }

    [Function("ListDepinProjects")]
    public async Task<IResult> ListProjectsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "depin/projects")] HttpRequest request)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        if (!caller.IsOperator)
        {
            return Problems.Forbidden();
        }

        var projects = await commands.ListProjectsAsync(request.HttpContext.RequestAborted);
        return Results.Ok(new { items = projects.Select(s => DepinResources.Project(s.Project, s)) });
    }

    [Function("GetDepinTask")]
    public async Task<IResult> GetTaskAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "depin/tasks/{taskId}")] HttpRequest request,
        string taskId)
    {
        if (auth.Authenticate(request) is null)
        {
            return Problems.Unauthorized();
        }

        var result = await commands.GetTaskAsync(taskId, request.HttpContext.RequestAborted);
        return result.Succeeded ? Results.Ok(DepinResources.Task(result.Value!)) : Problems.From(result);
    }

    [Function("CreateDepinPledge")]
    public async Task<IResult> CreatePledgeAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "depin/pledges")] HttpRequest request)
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

        var leaseId = body!.String("leaseId", required: true, 64);
        var projectId = body.String("projectId", required: true, DepinTaskMessage.MaxIdLength, DepinTaskMessage.IsValidId,
            "must be letters, digits, '-', '_', '.' or ':'.");
        var gpuCount = body.Int("gpuCount", required: true, 1, 8);
        var payout = body.String("payoutAddress", required: true, 42, IsAddress, "must be an address: 0x and 40 hex digits.");
        body.RejectUnknownFields();
        if (body.HasErrors)
        {
            return Problems.Validation(body.Errors);
        }

        var result = await commands.CreatePledgeAsync(
            caller.TenantId, leaseId!, projectId!, gpuCount!.Value, EthereumAddress.Normalize(payout!), request.HttpContext.RequestAborted);
        return result.Succeeded
            ? Results.Created($"/api/depin/pledges/{result.Value!.PledgeId}", DepinResources.Pledge(result.Value))
            : Problems.From(result);
    }

    [Function("EndDepinPledge")]
    public async Task<IResult> EndPledgeAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "depin/pledges/{pledgeId}")] HttpRequest request,
        string pledgeId)
    {
        if (auth.Authenticate(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        var result = await commands.EndPledgeAsync(caller.TenantId, pledgeId, request.HttpContext.RequestAborted);
        return result.Succeeded ? Results.Ok(DepinResources.Pledge(result.Value!)) : Problems.From(result);
    }

    private static bool IsAddress(string value)
    {
        try
        {
            EthereumAddress.Normalize(value);
            return value.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
