using System.Text.Json.Nodes;
using Aisto.Infrastructure.Kubernetes;
using Aisto.Orchestrations.Regions;
using static Aisto.Kubernetes.Tests.ClusterBuilder;

namespace Aisto.Kubernetes.Tests;

/// <summary>Nodes and node pools read from the cluster; pools scaled through Cluster API.</summary>
public sealed class KubernetesInventoryTests : IAsyncLifetime
{
    private FakeKubernetesApi api = null!;
    private KubernetesRegion region = null!;

    public async Task InitializeAsync()
    {
        api = await FakeKubernetesApi.StartAsync();
        region = Region(api);
        api.Put("nodes", null, Node("gpu-h100-01", "NVIDIA-H100-80GB-HBM3", 8, pool: "us-east-h100"));
        api.Put("nodes", null, Node("gpu-h100-02", "NVIDIA-H100-80GB-HBM3", 8, pool: "us-east-h100"));
        api.Put("nodes", null, Node("gpu-a100-01", "NVIDIA-A100-SXM4-80GB", 4, pool: "us-east-a100"));
        api.Put("nodes", null, Node("gpu-a100-02", "NVIDIA-A100-SXM4-80GB", 4, cordoned: true, pool: "us-east-a100"));
        api.Put("nodes", null, Node("gpu-h100-03", "NVIDIA-H100-80GB-HBM3", 8, ready: false, pool: "us-east-h100"));
        api.Put("nodes", null, Node("gpu-t4-01", "Tesla-T4", 1));
        api.Put("machinedeployments", "capi", MachineDeployment("us-east-h100", replicas: 3, ready: 2, min: 1, max: 10));
        api.Put("machinedeployments", "capi", MachineDeployment("us-east-l40s", replicas: 0, ready: 0, min: 0, max: 4, model: "L40S", gpus: 8));
        api.Put("machines", "capi", Machine("us-east-h100-abc12", "us-east-h100", "gpu-h100-01"));
        api.Put("machines", "capi", Machine("us-east-h100-def34", "us-east-h100", "gpu-h100-02"));
    }

    public async Task DisposeAsync()
    {
        await region.DisposeAsync();
        await api.DisposeAsync();
    }

    [Fact]
    public async Task Ready_schedulable_gpu_nodes_of_known_models_are_the_region_nodes()
    {
        var nodes = await region.ListNodesAsync();

        Assert.Equal(["gpu-a100-01", "gpu-h100-01", "gpu-h100-02"], nodes.Select(n => n.NodeId).Order(StringComparer.Ordinal));
        var a100 = nodes.Single(n => n.NodeId == "gpu-a100-01");
        Assert.Equal(new RegionNode("gpu-a100-01", "A100", 4, 95_500, 1_032_192), a100);
    }

    [Fact]
    public async Task Node_pools_are_the_machine_deployments_with_their_model_size_and_autoscaler_bounds()
    {
        var pools = await region.ListNodePoolsAsync();

        Assert.Equal(new NodePoolStatus("us-east-h100", "H100", 8, 2, 3, 1, 10), pools.Single(p => p.PoolId == "us-east-h100"));
        Assert.Equal(new NodePoolStatus("us-east-l40s", "L40S", 8, 0, 0, 0, 4), pools.Single(p => p.PoolId == "us-east-l40s"));
    }

    [Fact]
    public async Task Scaling_in_marks_only_the_named_idle_machine_for_deletion_and_sets_the_replicas_idempotently()
    {
        var request = new NodePoolScaleRequest("us-east-h100", 2, ["gpu-h100-02"]);

        await region.ScaleNodePoolAsync(request);
        await region.ScaleNodePoolAsync(request);

        Assert.Equal(2, (int)api.Get("machinedeployments", "capi", "us-east-h100")!["spec"]!["replicas"]!);
        Assert.Equal("aisto", (string?)api.Get("machines", "capi", "us-east-h100-def34")!["metadata"]!["annotations"]!["cluster.x-k8s.io/delete-machine"]);
        Assert.Null(api.Get("machines", "capi", "us-east-h100-abc12")!["metadata"]!["annotations"]);
        Assert.Contains(api.Requests, r => r.Method == "PATCH" && r.Target.EndsWith("/machinedeployments/us-east-h100/scale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scaling_out_patches_the_scale_subresource()
    {
        await region.ScaleNodePoolAsync(new NodePoolScaleRequest("us-east-l40s", 2, []));

        Assert.Equal(2, (int)api.Get("machinedeployments", "capi", "us-east-l40s")!["spec"]!["replicas"]!);
        Assert.DoesNotContain(api.Requests, r => r.Target.Contains("/machines", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pods_aisto_did_not_start_count_their_whole_and_shared_gpus()
    {
        api.Put("pods", "research", ExternalPod("notebook", "gpu-h100-01", "nvidia.com/gpu", 2));
        api.Put("pods", "research", ExternalPod("inference", "gpu-a100-01", "nvidia.com/mig-3g.40gb", 1));
        var done = ExternalPod("finished", "gpu-h100-01", "nvidia.com/gpu", 4);
        done["status"] = new JsonObject { ["phase"] = "Succeeded" };
        api.Put("pods", "research", done);
        await region.ProvisionAsync(WholeGpuLease());

        var pods = await region.ListExternalGpuPodsAsync();

        Assert.Equal(
            [new ExternalGpuPod("research/inference", "gpu-a100-01", 428), new ExternalGpuPod("research/notebook", "gpu-h100-01", 2000)],
            pods.OrderBy(p => p.PodKey, StringComparer.Ordinal));
    }
}
