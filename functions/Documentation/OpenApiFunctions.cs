using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Scalar.AspNetCore;

namespace Aisto.Functions.Documentation;

/// <summary>
/// <c>GET /api/openapi.json</c> (generated from the functions, see <see cref="OpenApiDocumentBuilder"/>) and
/// <c>GET /api/docs</c>: Scalar's API reference. Its script comes embedded in the Scalar.AspNetCore package and is
/// served from here, so the reference works offline and under both hosts (no CDN, no npm build).
/// </summary>
public sealed class OpenApiFunctions
{
    private const string ReferencePage = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>AISTO API reference</title>
        </head>
        <body>
          <div id="app"></div>
          <script src="/api/docs/scalar.js"></script>
          <script>Scalar.createApiReference('#app', { url: '/api/openapi.json', theme: 'default', hideClientButton: true, showDeveloperTools: 'never' });</script>
        </body>
        </html>
        """;

    private static readonly Lazy<byte[]?> ScalarScript = new(LoadScalarScript);

    [Function("OpenApiDocument")]
    public IResult GetDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        Results.Text(OpenApiDocumentBuilder.AppDocumentJson, "application/json; charset=utf-8");

    [Function("ApiReference")]
    public IResult GetReference(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/{*file}")] HttpRequest request,
        string? file)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(file))
        {
            return Results.Content(ReferencePage, "text/html; charset=utf-8");
        }

        if (file == "scalar.js" && ScalarScript.Value is { } script)
        {
            request.HttpContext.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Bytes(script, "text/javascript; charset=utf-8");
        }

        return Http.Problems.NotFound($"The API reference has no file '{file}'.");
    }

    /// <summary>Scalar's standalone script from the package's embedded resources (gzip-compressed or not).</summary>
    private static byte[]? LoadScalarScript()
    {
        var assembly = typeof(ScalarOptions).Assembly;
        var name = assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith("scalar.js", StringComparison.OrdinalIgnoreCase) || n.EndsWith("scalar.js.gz", StringComparison.OrdinalIgnoreCase))
            .Where(n => !n.Contains("aspnetcore", StringComparison.OrdinalIgnoreCase))
            .OrderBy(n => n.Length)
            .FirstOrDefault();
        if (name is null)
        {
            return null;
        }

        using var stream = assembly.GetManifestResourceStream(name)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            gzip.CopyTo(plain);
            return plain.ToArray();
        }

        return bytes;
    }
}
