using Microsoft.OpenApi.Models;

namespace Aisto.Functions.Documentation;

/// <summary>Who may call a route.</summary>
public enum RouteAccess
{
    Public,
    Tenant,
    Operator,
}

/// <summary>
/// The documentation of one HTTP function (matched by its <c>[Function]</c> name): what it does, who may call it,
/// its body, query parameters and answers. Path, method and path parameters come from the function itself.
/// </summary>
public sealed record RouteDoc(
    string Tag,
    string Summary,
    RouteAccess Access,
    string Description = "",
    OpenApiSchema? Body = null,
    IReadOnlyDictionary<int, ApiResponse>? Responses = null,
    IReadOnlyList<OpenApiParameter>? Query = null,
    IReadOnlyList<OpenApiParameter>? Headers = null);

/// <summary>One documented answer: its meaning, a schema and its media type (JSON unless said otherwise).</summary>
public sealed record ApiResponse(string Description, OpenApiSchema? Schema = null, string MediaType = "application/json");
