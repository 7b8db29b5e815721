using System.Text.Json.Nodes;
using Aisto.Infra.Tests.Bicep;

namespace Aisto.Infra.Tests;

/// <summary>infra/bicep compiles and lints clean with the strict rules of infra/bicep/bicepconfig.json.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class BicepTemplateTests(CompiledInfrastructure infra)
{
    [Fact]
    public void Main_template_builds_with_no_errors_and_no_warnings() => AssertClean(infra.Build);

    [Fact]
    public void Main_template_lints_with_no_errors_and_no_warnings() => AssertClean(infra.Lint);

    [Fact]
    public void Sample_parameters_build_with_no_errors_and_no_warnings() => AssertClean(infra.BuildParams);

    [Fact]
    public void Sample_parameters_lint_with_no_errors_and_no_warnings() => AssertClean(infra.LintParams);

    [Fact]
    public void Sample_deployment_snapshot_evaluates_with_no_errors_and_no_warnings()
    {
        AssertClean(infra.Snapshot);
        // Any diagnostic the evaluator prints (for example a nested deployment it could not expand) is a failure too.
        Assert.True(infra.Snapshot.Stderr.Trim().Length == 0, infra.Snapshot.Describe());
        Assert.NotEmpty(infra.PredictedResources);
    }

    [Fact]
    public void Every_parameter_of_every_template_has_a_description()
    {
        Assert.NotNull(infra.Template);

        var undescribed = Templates(infra.Template)
            .SelectMany(template => template["parameters"]?.AsObject() ?? [])
            .Where(parameter => string.IsNullOrWhiteSpace((string?)parameter.Value?["metadata"]?["description"]))
            .Select(parameter => parameter.Key)
            .ToList();

        Assert.True(undescribed.Count == 0, $"Parameters without @description: {string.Join(", ", undescribed)}");
    }

    [Fact]
    public void No_output_is_a_secure_value()
    {
        Assert.NotNull(infra.Template);

        var secureOutputs = Templates(infra.Template)
            .SelectMany(template => template["outputs"]?.AsObject() ?? [])
            .Where(output => ((string?)output.Value?["type"])?.StartsWith("secure", StringComparison.OrdinalIgnoreCase) == true)
            .Select(output => output.Key)
            .ToList();

        Assert.Empty(secureOutputs);
    }

    [Fact]
    public void Sample_deployment_puts_every_resource_in_one_resource_group()
    {
        var groups = infra.PredictedResources
            .Select(resource => (string?)resource["id"] ?? "")
            .Where(id => id.Contains("/resourceGroups/", StringComparison.OrdinalIgnoreCase))
            .Select(id => id.Split('/')[4])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

        Assert.Single(groups);
    }

    private static void AssertClean(BicepRun run)
    {
        var problems = run.ErrorsAndWarnings;
        Assert.True(
            run.ExitCode == 0 && problems.Count == 0,
            $"{problems.Count} error(s)/warning(s):\n{string.Join('\n', problems)}\n{run.Describe()}");
    }

    // The main template and every module template nested in it (module deployments carry their template inline).
    private static IEnumerable<JsonObject> Templates(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            if (((string?)obj["$schema"])?.Contains("deploymentTemplate", StringComparison.OrdinalIgnoreCase) == true)
            {
                yield return obj;
            }

            foreach (var child in obj.Select(pair => pair.Value).OfType<JsonNode>().SelectMany(Templates))
            {
                yield return child;
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array.OfType<JsonNode>().SelectMany(Templates))
            {
                yield return child;
            }
        }
    }
}
