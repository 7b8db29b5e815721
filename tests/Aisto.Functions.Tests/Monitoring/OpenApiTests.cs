using System.Text;
using System.Text.Json;
using Aisto.Functions.Documentation;
using Aisto.Functions.Standalone;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi.Readers;

namespace Aisto.Functions.Tests.Monitoring;

/// <summary>
/// The OpenAPI document (exactly what <c>GET /api/openapi.json</c> answers) against the functions the app serves;
/// the browser test of the API reference loads it from the running app.
/// </summary>
public sealed class OpenApiTests
{
    private static readonly IReadOnlyList<HttpFunction> Served = FunctionCatalog.Http(typeof(StandaloneHost).Assembly);

    [Fact]
    public async Task The_served_OpenAPI_document_lists_every_route_and_method_the_app_serves_and_nothing_else()
    {
        var json = await ServedDocumentAsync();

        var document = new OpenApiStringReader().Read(json, out var diagnostic);

        Assert.Empty(diagnostic.Errors);
        Assert.StartsWith("3.", JsonDocument.Parse(json).RootElement.GetProperty("openapi").GetString());
        var documented = document.Paths
            .SelectMany(p => p.Value.Operations.Keys.Select(m => $"{m.ToString().ToUpperInvariant()} {p.Key}"))
            .Order(StringComparer.Ordinal);
        var served = Served
            .SelectMany(f => f.Methods.Select(m => $"{m.ToUpperInvariant()} {OpenApiDocumentBuilder.PathOf(f.Route)}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(served, documented);
    }

    [Fact]
    public void Every_HTTP_function_has_its_documentation_in_ApiRoutes_and_every_entry_names_a_function()
    {
        var names = Served.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(names.Except(ApiRoutes.All.Keys));
        Assert.Empty(ApiRoutes.All.Keys.Except(names));
    }

    [Fact]
    public async Task Path_parameters_and_operator_security_come_from_the_functions()
    {
        var document = new OpenApiStringReader().Read(await ServedDocumentAsync(), out _);

        var getLease = document.Paths["/api/leases/{leaseId}"].Operations[Microsoft.OpenApi.Models.OperationType.Get];
        var stream = document.Paths["/api/monitor/stream"].Operations[Microsoft.OpenApi.Models.OperationType.Get];
        var regions = document.Paths["/api/regions"].Operations[Microsoft.OpenApi.Models.OperationType.Get];
        Assert.Contains(getLease.Parameters, p => p is { Name: "leaseId", In: Microsoft.OpenApi.Models.ParameterLocation.Path, Required: true });
        Assert.NotEmpty(stream.Security);
        Assert.Contains("text/event-stream", stream.Responses["200"].Content.Keys);
        Assert.Empty(regions.Security);
        Assert.Equal("RegionStatus", regions.Responses["200"].Content["application/json"].Schema.Properties["items"].Items.Reference.Id);
    }

    [Fact]
    public async Task The_API_reference_page_and_its_script_are_served_by_the_function()
    {
        var functions = new OpenApiFunctions();

        var page = await ExecuteAsync(context => functions.GetReference(context.Request, null));
        var script = await ExecuteAsync(context => functions.GetReference(context.Request, "scalar.js"));
        var missing = await ExecuteAsync(context => functions.GetReference(context.Request, "../secrets.json"));

        Assert.Contains("/api/openapi.json", page.Body);
        Assert.Equal(("text/javascript; charset=utf-8", 200), (script.ContentType, script.Status));
        Assert.True(script.Body.Length > 100_000);
        Assert.Equal(404, missing.Status);
    }

    private static async Task<string> ServedDocumentAsync() =>
        (await ExecuteAsync(context => new OpenApiFunctions().GetDocument(context.Request))).Body;

    /// <summary>Runs a function's result against an in-memory HTTP context, as the host would.</summary>
    private static async Task<(int Status, string? ContentType, string Body)> ExecuteAsync(Func<HttpContext, IResult> function)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        using var body = new MemoryStream();
        context.Response.Body = body;
        await function(context).ExecuteAsync(context);
        return (context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()));
    }
}
