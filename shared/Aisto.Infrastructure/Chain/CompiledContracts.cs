using System.Security.Cryptography;
using System.Text;
using Aisto.Infrastructure.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Infrastructure.Chain;

/// <summary>
/// The ABI and bytecode the C# side deploys and calls, loaded at run time from contracts/build/*.json.
/// </summary>
/// <remarks>
/// Why at run time and not embedded: the artifacts are produced only by contracts/compile.mjs (solc standard JSON),
/// and <see cref="LoadAsync"/> recompiles whenever an artifact is missing or any source hash recorded in it differs
/// from the file on disk (our .sol files and every OpenZeppelin file they import), so what runs is always what the
/// sources compile to; a test recompiles into a temporary folder and compares byte for byte. Where no Node.js exists
/// (a deployed app), <see cref="LoadFrom"/> reads a published artifacts folder as is.
/// </remarks>
public sealed class CompiledContracts
{
    public const string AistoTokenName = "AistoToken";
    public const string DevStablecoinName = "DevStablecoin";
    public const string DistributorName = "DividendDistributor";

    private static readonly string[] Names = [AistoTokenName, DevStablecoinName, DistributorName];

    private CompiledContracts(IReadOnlyDictionary<string, ContractArtifact> artifacts) => Artifacts = artifacts;

    public IReadOnlyDictionary<string, ContractArtifact> Artifacts { get; }

    public ContractArtifact AistoToken => Artifacts[AistoTokenName];

    public ContractArtifact DevStablecoin => Artifacts[DevStablecoinName];

    public ContractArtifact Distributor => Artifacts[DistributorName];

    /// <summary>Identifies this exact set of bytecode (a deployment made from other bytecode is not reused).</summary>
    public string Fingerprint =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', Names.Select(n => Artifacts[n].Bytecode)))));

    /// <summary>Reads artifacts as they are (no freshness check): for a published app or a comparison.</summary>
    public static CompiledContracts LoadFrom(string buildDirectory) =>
        new(Names.ToDictionary(n => n, n => ContractArtifact.Parse(File.ReadAllText(Path.Combine(buildDirectory, n + ".json"))), StringComparer.Ordinal));

    /// <summary>Loads contracts/build, first recompiling with contracts/compile.mjs if it is missing or stale.</summary>
    public static async Task<CompiledContracts> LoadAsync(NpmWorkspace workspace, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        logger ??= NullLogger.Instance;
        var buildDirectory = Path.Combine(workspace.ContractsDirectory, "build");
        var staleness = FindStaleness(workspace.Root, buildDirectory);
        if (staleness is null)
        {
            return LoadFrom(buildDirectory);
        }

        logger.LogInformation("Compiling contracts: {Reason}", staleness);
        await workspace.RunNodeAsync("contracts/compile.mjs", [], cancellationToken: cancellationToken);
        staleness = FindStaleness(workspace.Root, buildDirectory);
        return staleness is null
            ? LoadFrom(buildDirectory)
            : throw new InvalidOperationException($"contracts/build is still stale after compiling: {staleness}");
    }

    /// <summary>Why the artifacts in <paramref name="buildDirectory"/> do not match the sources, or null when they do.</summary>
    public static string? FindStaleness(string repositoryRoot, string buildDirectory)
    {
        var sources = Directory.GetFiles(Path.Combine(repositoryRoot, "contracts", "src"), "*.sol")
            .Select(f => "contracts/src/" + Path.GetFileName(f))
            .ToList();
        foreach (var name in Names)
        {
            var path = Path.Combine(buildDirectory, name + ".json");
            if (!File.Exists(path))
            {
                return $"{name}.json is missing";
            }

            var artifact = ContractArtifact.Parse(File.ReadAllText(path));
            if (sources.FirstOrDefault(s => !artifact.SourceHashes.ContainsKey(s)) is { } newSource)
            {
                return $"{newSource} was not part of {name}'s compilation";
            }

            foreach (var (source, hash) in artifact.SourceHashes)
            {
                var file = Path.Combine(repositoryRoot, source);
                if (!File.Exists(file))
                {
                    return $"{source} no longer exists";
                }

                if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), hash, StringComparison.Ordinal))
                {
                    return $"{source} changed since {name} was compiled";
                }
            }
        }

        return null;
    }
}
