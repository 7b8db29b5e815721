using System.Text.Json;

namespace Aisto.Infrastructure.Chain;

/// <summary>
/// One contract as contracts/compile.mjs wrote it: ABI, creation and runtime bytecode, and the SHA-256 of every
/// source file it was compiled from.
/// </summary>
public sealed record ContractArtifact(
    string ContractName,
    string Abi,
    string Bytecode,
    string DeployedBytecode,
    string CompilerVersion,
    string EvmVersion,
    IReadOnlyDictionary<string, string> SourceHashes)
{
    public static ContractArtifact Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var compiler = root.GetProperty("compiler");
        return new ContractArtifact(
            root.GetProperty("contractName").GetString()!,
            root.GetProperty("abi").GetRawText(),
            root.GetProperty("bytecode").GetString()!,
            root.GetProperty("deployedBytecode").GetString()!,
            compiler.GetProperty("version").GetString()!,
            compiler.GetProperty("settings").GetProperty("evmVersion").GetString()!,
            root.GetProperty("sources").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal));
    }
}
