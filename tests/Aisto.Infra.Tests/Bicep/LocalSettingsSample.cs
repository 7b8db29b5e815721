using System.Text.Json.Nodes;

namespace Aisto.Infra.Tests.Bicep;

/// <summary>The "Values" of local.settings.sample.json: every setting the app reads when run locally.</summary>
public static class LocalSettingsSample
{
    public static IReadOnlyDictionary<string, string> Values()
    {
        var root = JsonNode.Parse(File.ReadAllText(RepositoryLayout.LocalSettingsSample))
            ?? throw new InvalidOperationException("local.settings.sample.json is empty.");
        var values = root["Values"]?.AsObject()
            ?? throw new InvalidOperationException("local.settings.sample.json has no \"Values\" object.");
        return values.ToDictionary(pair => pair.Key, pair => pair.Value?.ToString() ?? "", StringComparer.Ordinal);
    }
}
