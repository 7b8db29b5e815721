using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Aisto.Functions.Dashboard;

/// <summary>
/// <c>GET /api/dashboard/{file}</c>: the live dashboard, plain static files embedded in this assembly (no build step).
/// The standalone runtime also answers <c>/</c> and <c>/dashboard</c> with a redirect here.
/// </summary>
public sealed class DashboardFunctions
{
    public const string ResourcePrefix = "aisto.dashboard/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".png"] = "image/png",
        [".svg"] = "image/svg+xml",
    };

    [Function("Dashboard")]
    public IResult Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "dashboard/{*file}")] HttpRequest request,
        string? file)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = string.IsNullOrEmpty(file) ? "index.html" : file;
        if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var contentType) ||
            typeof(DashboardFunctions).Assembly.GetManifestResourceStream(ResourcePrefix + name) is not { } stream)
        {
            return Http.Problems.NotFound($"The dashboard has no file '{name}'.");
        }

        request.HttpContext.Response.Headers.CacheControl = "no-cache";
        request.HttpContext.Response.Headers.ContentSecurityPolicy =
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
        request.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Stream(stream, contentType);
    }

    /// <summary>Every file of the dashboard (for tests and the OpenAPI description).</summary>
    public static IReadOnlyList<string> Files() =>
        [.. Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..])
            .Order(StringComparer.Ordinal)];
}
