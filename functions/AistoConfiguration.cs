using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Aisto.Functions;

/// <summary>
/// Where settings come from, in order of precedence (last wins): <c>aisto.json</c> beside the app (the default
/// fleet, prices and development API key hashes), <c>local.settings.json</c> "Values" when present (as
/// <c>func start</c> would apply them), environment variables, then the command line.
/// </summary>
public static class AistoConfiguration
{
    public const string DefaultsFile = "aisto.json";

    public static void Apply(IConfigurationBuilder configuration, string[] args, bool includeLocalSettings)
    {
        var sources = configuration.Sources.ToList();
        configuration.Sources.Clear();
        configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, DefaultsFile), optional: false, reloadOnChange: false);
        if (includeLocalSettings && LocalSettingsValues() is { } values)
        {
            configuration.AddInMemoryCollection(values);
        }

        foreach (var source in sources)
        {
            configuration.Add(source);
        }

        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
    }

    /// <summary>The "Values" of local.settings.json (current folder or beside the app), keys with <c>__</c> as <c>:</c>.</summary>
    private static Dictionary<string, string?>? LocalSettingsValues()
    {
        var path = new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory }
            .Select(d => Path.Combine(d, "local.settings.json"))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return values.EnumerateObject().ToDictionary(
            p => p.Name.Replace("__", ":", StringComparison.Ordinal),
            p => (string?)p.Value.ToString());
    }
}
