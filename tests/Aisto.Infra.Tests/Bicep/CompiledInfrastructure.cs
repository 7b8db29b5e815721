using System.Text.Json.Nodes;

namespace Aisto.Infra.Tests.Bicep;

/// <summary>
/// Compiles infra/bicep once per test run: build and lint of main.bicep, build and lint of main.bicepparam, and a
/// snapshot (the deployment the sample parameters would make, evaluated offline by the Bicep CLI).
/// </summary>
public sealed class CompiledInfrastructure : IDisposable
{
    // Fixed scope for the snapshot; any well-formed ids give the same resource shapes.
    private const string SubscriptionId = "00000000-0000-0000-0000-00000000a157";
    private const string TenantId = "00000000-0000-0000-0000-00000000a158";

    private readonly string _workFolder = Directory.CreateTempSubdirectory("aisto-infra-tests-").FullName;

    public CompiledInfrastructure()
    {
        var bicepFolder = RepositoryLayout.BicepFolder;
        var templateJson = Path.Combine(_workFolder, "main.json");
        var parametersJson = Path.Combine(_workFolder, "main.parameters.json");

        Build = BicepCli.Run(bicepFolder, "build", RepositoryLayout.MainTemplate, "--outfile", templateJson);
        Lint = BicepCli.Run(bicepFolder, "lint", RepositoryLayout.MainTemplate);
        BuildParams = BicepCli.Run(bicepFolder, "build-params", RepositoryLayout.SampleParameters, "--outfile", parametersJson);
        LintParams = BicepCli.Run(bicepFolder, "lint", RepositoryLayout.SampleParameters);
        Template = File.Exists(templateJson) ? JsonNode.Parse(File.ReadAllText(templateJson)) : null;

        // snapshot writes main.snapshot.json beside the .bicepparam, so it runs on a copy of the folder.
        var copy = Path.Combine(_workFolder, "bicep");
        CopyFolder(bicepFolder, copy);
        Snapshot = BicepCli.Run(
            copy, "snapshot", Path.Combine(copy, "main.bicepparam"), "--mode", "overwrite",
            "--subscription-id", SubscriptionId, "--tenant-id", TenantId, "--location", "eastus", "--deployment-name", "aisto");
        var snapshotJson = Path.Combine(copy, "main.snapshot.json");
        PredictedResources = File.Exists(snapshotJson)
            ? JsonNode.Parse(File.ReadAllText(snapshotJson))?["predictedResources"]?.AsArray().Select(node => node!).ToList() ?? []
            : [];
    }

    public BicepRun Build { get; }

    public BicepRun Lint { get; }

    public BicepRun BuildParams { get; }

    public BicepRun LintParams { get; }

    public BicepRun Snapshot { get; }

    /// <summary>The ARM JSON compiled from main.bicep (null when the build failed).</summary>
    public JsonNode? Template { get; }

    /// <summary>Resources the sample environment would deploy, with every deploy-time value evaluated.</summary>
    public IReadOnlyList<JsonNode> PredictedResources { get; }

    public JsonNode FunctionApp => SingleResource("Microsoft.Web/sites");

    public JsonObject FunctionAppSettings =>
        SingleResource("Microsoft.Web/sites/config", name => name.EndsWith("/appsettings", StringComparison.Ordinal))["properties"]!.AsObject();

    public void Dispose() => Directory.Delete(_workFolder, recursive: true);

    private JsonNode SingleResource(string type, Func<string, bool>? nameFilter = null)
    {
        var matches = PredictedResources
            .Where(resource => (string?)resource["type"] == type && (nameFilter?.Invoke((string?)resource["name"] ?? "") ?? true))
            .ToList();
        Assert.True(matches.Count == 1, $"Expected one {type} in the snapshot, found {matches.Count}.\n{Snapshot.Describe()}");
        return matches[0];
    }

    private static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}

/// <summary>Shares one <see cref="CompiledInfrastructure"/> among the infrastructure test classes.</summary>
[CollectionDefinition(Name)]
public sealed class CompiledInfrastructureCollection : ICollectionFixture<CompiledInfrastructure>
{
    public const string Name = "Compiled infrastructure";
}
