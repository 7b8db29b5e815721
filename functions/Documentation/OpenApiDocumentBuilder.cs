using System.Text.RegularExpressions;
using Aisto.Functions.Standalone;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Extensions;
using Microsoft.OpenApi.Models;

namespace Aisto.Functions.Documentation;

/// <summary>
/// Builds the OpenAPI 3 document from the app's HTTP functions (FunctionCatalog: route, methods, path parameters)
/// and their entries in <see cref="ApiRoutes"/>. A function without an entry is still listed, marked undocumented.
/// </summary>
public static partial class OpenApiDocumentBuilder
{
    public const string SecurityScheme = "apiKey";

    private static readonly Lazy<string> Json = new(() =>
        Build(FunctionCatalog.Http(typeof(OpenApiDocumentBuilder).Assembly), ApiRoutes.All).SerializeAsJson(OpenApiSpecVersion.OpenApi3_0));

    /// <summary>The app's document as JSON (built once).</summary>
    public static string AppDocumentJson => Json.Value;

    /// <summary>The OpenAPI path of a Functions route: <c>/api/</c> + route with constraints, optional marks and catch-alls removed.</summary>
    public static string PathOf(string route) =>
        "/" + HttpFunctionEndpoints.RoutePrefix + "/" + RouteParameter().Replace(route, m => "{" + m.Groups["name"].Value + "}");

    public static IReadOnlyList<string> PathParameters(string route) =>
        [.. RouteParameter().Matches(route).Select(m => m.Groups["name"].Value)];

    public static OpenApiDocument Build(IReadOnlyList<HttpFunction> functions, IReadOnlyDictionary<string, RouteDoc> docs)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(docs);
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "AISTO API",
                Version = "v1",
                Description = "GPU compute leasing, placement across regions, monitoring, DePIN and on-chain payouts. JSON is camelCase, " +
                    "enums are strings, money is a decimal string in USD with 6 decimals, token amounts are integer strings in base units. " +
                    "Every error is application/problem+json. Authenticate with 'Authorization: Bearer API_KEY'.",
            },
            Servers = [new OpenApiServer { Url = "/", Description = "This deployment" }],
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = ApiSchemas.All.ToDictionary(s => s.Key, s => s.Value),
                SecuritySchemes = new Dictionary<string, OpenApiSecurityScheme>
                {
                    [SecurityScheme] = new()
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        Description = "An API key; tenant keys see their own resources, operator keys also the operator routes.",
                    },
                },
            },
        };

        foreach (var group in functions.GroupBy(f => PathOf(f.Route), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var item = new OpenApiPathItem();
            foreach (var function in group)
            {
                foreach (var method in function.Methods)
                {
                    item.Operations[Enum.Parse<OperationType>(method, ignoreCase: true)] = Operation(function, docs.GetValueOrDefault(function.Name));
                }
            }

            document.Paths.Add(group.Key, item);
        }

        document.Tags = [.. docs.Values.Select(d => d.Tag).Distinct(StringComparer.Ordinal).Select(t => new OpenApiTag { Name = t })];
        return document;
    }

    private static OpenApiOperation Operation(HttpFunction function, RouteDoc? doc)
    {
        var operation = new OpenApiOperation
        {
            OperationId = function.Name,
            Summary = doc?.Summary ?? $"{function.Name} (undocumented)",
            Description = doc is null ? "Add an entry for this function to ApiRoutes." : Describe(doc),
            Tags = [new OpenApiTag { Name = doc?.Tag ?? "Undocumented" }],
        };
        foreach (var name in PathParameters(function.Route))
        {
            operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true, Schema = ApiSchema.Str() });
        }

        foreach (var parameter in (doc?.Query ?? []).Concat(doc?.Headers ?? []))
        {
            operation.Parameters.Add(parameter);
        }

        if (doc?.Body is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = body } },
            };
        }

        if (doc is not null && doc.Access != RouteAccess.Public)
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement
                {
                    [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = SecurityScheme } }] = [],
                },
            ];
        }

        var responses = doc?.Responses ?? new Dictionary<int, ApiResponse> { [200] = new("Undocumented.") };
        foreach (var (status, response) in responses.OrderBy(r => r.Key))
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = response.Description,
                Content = response.Schema is null
                    ? new Dictionary<string, OpenApiMediaType>()
                    : new Dictionary<string, OpenApiMediaType> { [response.MediaType] = new() { Schema = response.Schema } },
            };
        }

        return operation;
    }

    private static string Describe(RouteDoc doc) => doc.Access switch
    {
        RouteAccess.Operator => (doc.Description + " Operator API key required.").Trim(),
        RouteAccess.Tenant => (doc.Description + " API key required.").Trim(),
        _ => (doc.Description + " No key needed.").Trim(),
    };

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)(:[^}?]*)?\??\}")]
    private static partial Regex RouteParameter();
}
