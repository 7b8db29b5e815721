using Aisto.Orchestrations.Results;
using Microsoft.AspNetCore.Http;

namespace Aisto.Functions.Http;

/// <summary>The one place failures become RFC 7807 problem+json responses.</summary>
public static class Problems
{
    private const string TypeBase = "https://aisto.dev/problems/";

    public static IResult Validation(IReadOnlyDictionary<string, string[]> errors, string? detail = null) =>
        Results.ValidationProblem(
            errors.ToDictionary(e => e.Key, e => e.Value),
            detail: detail ?? string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))),
            title: "The request is invalid.",
            type: TypeBase + "validation");

    public static IResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult Unauthorized() => new UnauthorizedProblem();

    public static IResult Forbidden(string detail = "This route is for operators only.") =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden", detail, "forbidden");

    public static IResult NotFound(string detail) =>
        Problem(StatusCodes.Status404NotFound, "Not found", detail, "not-found");

    public static IResult Conflict(string detail) =>
        Problem(StatusCodes.Status409Conflict, "Conflict", detail, "conflict");

    public static IResult PayloadTooLarge(long limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body may be at most {limit} bytes.", "payload-too-large");

    /// <summary>Maps a failed command to its status code.</summary>
    public static IResult From<T>(CommandResult<T> result) => result.Failure switch
    {
        CommandFailure.Invalid => Validation(result.Errors, result.Detail),
        CommandFailure.NotFound => NotFound(result.Detail ?? "Not found."),
        CommandFailure.Conflict => Conflict(result.Detail ?? "Conflict."),
        CommandFailure.Forbidden => Forbidden(result.Detail ?? "Forbidden."),
        _ => throw new InvalidOperationException("A successful result is not a problem."),
    };

    public static IResult Problem(int status, string title, string detail, string type) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: TypeBase + type);

    /// <summary>401 with the challenge header the scheme requires.</summary>
    private sealed class UnauthorizedProblem : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem(
                    StatusCodes.Status401Unauthorized,
                    "Unauthorized",
                    "Send a valid API key as 'Authorization: Bearer <key>'.",
                    "unauthorized")
                .ExecuteAsync(httpContext);
        }
    }
}
