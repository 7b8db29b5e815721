using System.Text.Json.Nodes;
using Aisto.Infrastructure.Chain;

namespace Aisto.Chain.Tests;

[Collection(HardhatCollection.Name)]
public sealed class ContractArtifactTests(HardhatFixture chain)
{
    [Fact]
    public async Task The_artifacts_in_use_are_byte_for_byte_what_the_sources_compile_to()
    {
        // Arrange: the fixture loaded contracts/build (compiling it if stale); compile again somewhere else.
        var fresh = Path.Combine(Path.GetTempPath(), "aisto-compile-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Act
            await chain.Workspace.RunNodeAsync("contracts/compile.mjs", ["--out", fresh]);
            var recompiled = CompiledContracts.LoadFrom(fresh);

            // Assert
            foreach (var (name, artifact) in chain.Artifacts.Artifacts)
            {
                Assert.Equal(recompiled.Artifacts[name].Bytecode, artifact.Bytecode);
                Assert.Equal(recompiled.Artifacts[name].DeployedBytecode, artifact.DeployedBytecode);
                Assert.Equal(recompiled.Artifacts[name].Abi, artifact.Abi);
                Assert.Equal("shanghai", artifact.EvmVersion);
                Assert.StartsWith("0.8.28", artifact.CompilerVersion, StringComparison.Ordinal);
            }

            Assert.Null(CompiledContracts.FindStaleness(chain.Workspace.Root, Path.Combine(chain.Workspace.ContractsDirectory, "build")));
        }
        finally
        {
            Directory.Delete(fresh, recursive: true);
        }
    }

    [Fact]
    public void An_artifact_compiled_from_other_source_text_is_reported_stale()
    {
        // Arrange: a copy of the build whose recorded hash of DividendDistributor.sol is not the file's.
        var build = Path.Combine(Path.GetTempPath(), "aisto-stale-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(build);
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(chain.Workspace.ContractsDirectory, "build"), "*.json"))
            {
                var json = JsonNode.Parse(File.ReadAllText(file))!;
                json["sources"]!["contracts/src/DividendDistributor.sol"] = new string('0', 64);
                File.WriteAllText(Path.Combine(build, Path.GetFileName(file)), json.ToJsonString());
            }

            // Act
            var staleness = CompiledContracts.FindStaleness(chain.Workspace.Root, build);

            // Assert
            Assert.Contains("DividendDistributor.sol changed", staleness, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(build, recursive: true);
        }
    }
}
