using Aisto.Infrastructure.Runtime;
using Aisto.Orchestrations.Regions;
using k8s;
using k8s.Models;
using static Aisto.Kubernetes.Tests.ClusterBuilder;

namespace Aisto.Kubernetes.Tests;

/// <summary>The ClusterRole in infra/kubernetes/rbac.yaml allows every call the adapter makes, and no more verbs than those.</summary>
public sealed class RbacTests
{
    [Fact]
    public async Task Every_request_of_every_adapter_operation_is_allowed_by_the_shipped_cluster_role()
    {
        var root = RepositoryRoot.Find() ?? throw new InvalidOperationException("Run the tests from the repository.");
        var role = KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(Path.Combine(root, "infra", "kubernetes", "rbac.yaml")))
            .OfType<V1ClusterRole>().Single();
        await using var api = await FakeKubernetesApi.StartAsync();
        api.Put("nodes", null, Node("gpu-h100-01", "NVIDIA-H100-80GB-HBM3", 8, pool: "us-east-h100"));
        api.Put("machinedeployments", "capi", MachineDeployment("us-east-h100", 2, 2, 1, 4));
        api.Put("machines", "capi", Machine("m-1", "us-east-h100", "gpu-h100-01"));
        await using (var region = Region(api))
        {
            // Every operation of the port and of reconciliation, including the conflict paths (replace on 409).
            var spec = WholeGpuLease();
            await region.ProvisionAsync(spec);
            await using (var again = Region(api))
            {
                await again.ProvisionAsync(spec);
            }

            api.MakePodReady(spec.LeaseId);
            await EventuallyAsync(async () => (await region.GetWorkloadStateAsync(spec.LeaseId)).Phase == WorkloadPhase.Running, "ready");
            await region.ListNodesAsync();
            await region.ListNodePoolsAsync();
            await region.ScaleNodePoolAsync(new NodePoolScaleRequest("us-east-h100", 1, ["gpu-h100-01"]));
            await region.ListLeaseJobsAsync();
            await region.ListExternalGpuPodsAsync();
            await region.TeardownAsync(spec.LeaseId);
            await region.ProbeAsync();
        }

        var used = api.Requests.Select(r => Permission(r.Method, r.Target)).Distinct().ToList();
        var denied = used.Where(p => !Allows(role, p)).ToList();

        Assert.Empty(denied);
        Assert.Contains(("batch", "jobs", "create"), used);
        Assert.Contains(("", "pods", "watch"), used);
        Assert.Contains(("cluster.x-k8s.io", "machinedeployments/scale", "patch"), used);
    }

    private static (string Group, string Resource, string Verb) Permission(string method, string target)
    {
        var path = target.Split('?')[0].Trim('/');
        if (!path.StartsWith("api", StringComparison.Ordinal))
        {
            return ("", "/" + path, "get"); // non-resource URL
        }

        var segments = path.Split('/');
        var group = segments[0] == "api" ? "" : segments[1];
        var rest = segments[0] == "api" ? segments[2..] : segments[3..];
        string resource;
        var named = false;
        if (rest.Length >= 3 && rest[0] == "namespaces")
        {
            resource = rest[2] + (rest.Length > 4 ? "/" + rest[4] : "");
            named = rest.Length > 3;
        }
        else
        {
            resource = rest[0];
            named = rest.Length > 1;
        }

        var verb = method switch
        {
            "GET" when target.Contains("watch=true", StringComparison.Ordinal) => "watch",
            "GET" => named ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => method,
        };
        return (group, resource, verb);
    }

    private static bool Allows(V1ClusterRole role, (string Group, string Resource, string Verb) p) =>
        role.Rules.Any(rule =>
            rule.Verbs.Contains(p.Verb) &&
            (p.Resource.StartsWith('/')
                ? rule.NonResourceURLs?.Contains(p.Resource) == true
                : rule.ApiGroups?.Contains(p.Group) == true && rule.Resources?.Contains(p.Resource) == true));
}
