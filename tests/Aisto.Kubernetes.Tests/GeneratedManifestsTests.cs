using System.Text.RegularExpressions;
using Aisto.Infrastructure.Kubernetes;
using Aisto.Infrastructure.Runtime;
using k8s;
using Microsoft.Extensions.Configuration;
using static Aisto.Kubernetes.Tests.ClusterBuilder;

namespace Aisto.Kubernetes.Tests;

/// <summary>
/// docs/kubernetes.md shows the objects the adapter generates, serialized by KubernetesYaml from the real code with
/// the shipped configuration (functions/aisto.json). This test fails when the docs drift; run it with
/// <c>AISTO_UPDATE_DOCS=1</c> to rewrite the generated blocks.
/// </summary>
public sealed class GeneratedManifestsTests
{
    [Fact]
    public void The_objects_shown_in_the_docs_are_the_ones_the_adapter_generates()
    {
        var root = RepositoryRoot.Find() ?? throw new InvalidOperationException("Run the tests from the repository.");
        var workloads = new KubernetesWorkloads(ShippedOptions(root));
        var blocks = new Dictionary<string, string>
        {
            ["tenant"] = Yaml(workloads.Namespace("tenant-a"), workloads.Quota("tenant-a"), workloads.LimitRange("tenant-a")),
            ["whole-gpu"] = Yaml(workloads.Job(WholeGpuLease())),
            ["fractional-gpu"] = Yaml(workloads.Job(FractionalGpuLease())),
        };
        var path = Path.Combine(root, "docs", "kubernetes.md");
        var doc = File.ReadAllText(path);

        if (Environment.GetEnvironmentVariable("AISTO_UPDATE_DOCS") == "1")
        {
            foreach (var (name, yaml) in blocks)
            {
                doc = Block(name).Replace(doc, m => $"{m.Groups["open"].Value}```yaml\n{yaml}```\n{m.Groups["close"].Value}");
            }

            File.WriteAllText(path, doc);
        }

        foreach (var (name, yaml) in blocks)
        {
            var match = Block(name).Match(doc);
            Assert.True(match.Success, $"docs/kubernetes.md has no generated block '{name}'.");
            Assert.Equal(yaml, match.Groups["yaml"].Value.Replace("```yaml\n", "", StringComparison.Ordinal).Replace("```\n", "", StringComparison.Ordinal));
        }
    }

    private static KubernetesOptions ShippedOptions(string root)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(root, "functions", "aisto.json")).Build();
        return configuration.GetSection(KubernetesOptions.Section).Get<KubernetesOptions>() ?? throw new InvalidOperationException("No Aisto:Kubernetes.");
    }

    private static string Yaml(params object[] objects) =>
        string.Join("---\n", objects.Select(o => KubernetesYaml.Serialize(o).TrimEnd('\n') + "\n"));

    private static Regex Block(string name) => new(
        $"(?<open><!-- BEGIN GENERATED: {name} -->\\n)(?<yaml>[\\s\\S]*?)(?<close><!-- END GENERATED: {name} -->)",
        RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
