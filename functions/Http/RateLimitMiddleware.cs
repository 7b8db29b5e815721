using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Http;

/// <summary>
/// Puts every HTTP request through <see cref="KeyRateLimiter"/> before its function runs: as a Functions worker
/// middleware under the Functions host, and as an ASP.NET Core middleware in the standalone runtime.
/// </summary>
public sealed class RateLimitMiddleware(KeyRateLimiter limiter) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } http && limiter.Check(http) is { } rejected)
        {
            await rejected.ExecuteAsync(http);
            return;
        }

        await next(context);
    }

    /// <summary>The standalone runtime's equivalent, for paths under <c>/api</c>.</summary>
    public static async Task Standalone(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Request.Path.StartsWithSegments("/api")
            && context.RequestServices.GetRequiredService<KeyRateLimiter>().Check(context) is { } rejected)
        {
            await rejected.ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}
