using System.Text.Json;
using System.Text.Json.Serialization;
using Aisto.Domain.Leases;

namespace Aisto.Infrastructure.Json;

/// <summary>The JSON shape of everything AISTO stores or serves: camelCase, enums as camelCase strings.</summary>
public static class AistoJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Applies AISTO's conventions to an options instance (for ASP.NET Core's own options).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // Statuses read as names (../API.md: "Queued", "Completed"); option values in camelCase ("onDemand").
        options.Converters.Add(new JsonStringEnumConverter<LeaseStatus>());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
