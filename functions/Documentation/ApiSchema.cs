using Microsoft.OpenApi.Any;
using Microsoft.OpenApi.Models;

namespace Aisto.Functions.Documentation;

/// <summary>Short builders for OpenAPI schemas, so each route's documentation reads like the JSON it describes.</summary>
public static class ApiSchema
{
    public static OpenApiSchema Str(string? description = null, string? format = null, string? example = null) =>
        new() { Type = "string", Description = description, Format = format, Example = example is null ? null : new OpenApiString(example) };

    public static OpenApiSchema Money(string description) => Str(description + " (USD, decimal string with 6 decimals)", example: "3.200000");

    public static OpenApiSchema BaseUnits(string description) => Str(description + " (token base units, integer string)", example: "1000000000000000000");

    public static OpenApiSchema Time(string? description = null) => Str(description, "date-time");

    public static OpenApiSchema Int(string? description = null, long? min = null, long? max = null) =>
        new() { Type = "integer", Description = description, Minimum = min, Maximum = max };

    public static OpenApiSchema Num(string? description = null, decimal? min = null, decimal? max = null) =>
        new() { Type = "number", Description = description, Minimum = min, Maximum = max };

    public static OpenApiSchema Bool(string? description = null) => new() { Type = "boolean", Description = description };

    public static OpenApiSchema Enum(string description, params string[] values) =>
        new() { Type = "string", Description = description, Enum = [.. values.Select(v => (IOpenApiAny)new OpenApiString(v))] };

    public static OpenApiSchema Arr(OpenApiSchema items, string? description = null) =>
        new() { Type = "array", Items = items, Description = description };

    public static OpenApiSchema Map(OpenApiSchema values, string? description = null) =>
        new() { Type = "object", AdditionalProperties = values, Description = description };

    public static OpenApiSchema Ref(string id) =>
        new() { Reference = new OpenApiReference { Type = ReferenceType.Schema, Id = id } };

    public static OpenApiSchema Nullable(this OpenApiSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Reference is not null)
        {
            return new OpenApiSchema { AllOf = [schema], Nullable = true };
        }

        schema.Nullable = true;
        return schema;
    }

    /// <summary>An object; properties named with a trailing <c>?</c> are optional, all others required.</summary>
    public static OpenApiSchema Obj(string? description, params (string Name, OpenApiSchema Schema)[] properties) => new()
    {
        Type = "object",
        Description = description,
        Properties = properties.ToDictionary(p => p.Name.TrimEnd('?'), p => p.Schema),
        Required = properties.Where(p => !p.Name.EndsWith('?')).Select(p => p.Name).ToHashSet(),
    };

    /// <summary><c>{ "items": [...] }</c> (and a continuation token when paged).</summary>
    public static OpenApiSchema Page(string itemSchema, bool paged = false) => paged
        ? Obj(null, ("items", Arr(Ref(itemSchema))), ("continuationToken", Str("Pass back to get the next page; null on the last.").Nullable()))
        : Obj(null, ("items", Arr(Ref(itemSchema))));
}
