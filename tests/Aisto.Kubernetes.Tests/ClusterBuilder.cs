using System.Text.Json.Nodes;
using Aisto.Domain.Leases;
using Aisto.Domain.Regions;
using Aisto.Infrastructure.Kubernetes;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Kubernetes.Tests;

/// <summary>Fixtures: cluster objects for the fake API server, options, regions and workload specs.</summary>
public static class ClusterBuilder
{
    public static readonly RegionInfo UsEast = new("us-east", "United States (Virginia)", new GeoPoint(39.04, -77.49));

    public static KubernetesOptions Options() => new()
    {
        // Generous: the machine running the tests may be loaded; the hung-server test sets its own short timeout.
        RequestTimeout = TimeSpan.FromSeconds(5),
        OperationTimeout = TimeSpan.FromSeconds(30),
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        MaxRetries = 3,
        HealthFailureThreshold = 2,
        GpuProducts = new(StringComparer.OrdinalIgnoreCase)
        {
            ["H100"] = ["NVIDIA-H100-80GB-HBM3"],
            ["A100"] = ["NVIDIA-A100-SXM4-80GB"],
        },
        FractionalGpuResources =
        [
            new() { Model = "A100", MaxMilli = 142, Resource = "nvidia.com/mig-1g.10gb" },
            new() { Model = "A100", MaxMilli = 428, Resource = "nvidia.com/mig-3g.40gb" },
            new() { Model = "*", MaxMilli = 1000, Resource = "nvidia.com/gpu.shared" },
        ],
        GpuTolerations = [new()],
        DefaultTenantQuota = new TenantQuotaOptions { MaxGpus = 16, MaxCpuCores = 256, MaxMemoryGiB = 2048, MaxJobs = 32 },
    };

    public static KubernetesRegion Region(FakeKubernetesApi api, KubernetesOptions? options = null, RegionInfo? info = null) =>
        new(
            info ?? UsEast,
            KubernetesClientFactory.Create(new KubernetesClusterOptions { Kubeconfig = api.Kubeconfig() }),
            new KubernetesClusterOptions { Kubeconfig = api.Kubeconfig(), ClusterApiNamespace = "capi" },
            options ?? Options(),
            NullLogger.Instance,
            TimeProvider.System);

    public static WorkloadSpec WholeGpuLease(string leaseId = "lse_0123456789abcdef01234567", string node = "gpu-h100-01") =>
        new(leaseId, "tenant-a", "leasing", node, "H100", [0, 1], 1000,
            new Workload("ghcr.io/org/train:1.2", ["python", "train.py"], new Dictionary<string, string> { ["EPOCHS"] = "3" }));

    public static WorkloadSpec FractionalGpuLease(string leaseId = "lse_fedcba9876543210fedcba98", string node = "gpu-a100-01") =>
        new(leaseId, "tenant-b", "leasing", node, "A100", [3], 300,
            new Workload("ghcr.io/org/infer:2.0", ["python", "serve.py"], new Dictionary<string, string> { ["MODEL"] = "llama-3-8b" }));

    public static JsonObject Node(string name, string product, int gpus, bool ready = true, bool cordoned = false, string? pool = null)
    {
        var labels = new JsonObject { ["kubernetes.io/hostname"] = name, ["nvidia.com/gpu.product"] = product, ["nvidia.com/gpu.count"] = gpus.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (pool is not null)
        {
            labels["node.cluster.x-k8s.io/pool"] = pool;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
            ["spec"] = new JsonObject { ["unschedulable"] = cordoned },
            ["status"] = new JsonObject
            {
                ["allocatable"] = new JsonObject { ["cpu"] = "95500m", ["memory"] = "1056964608Ki", ["nvidia.com/gpu"] = gpus.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
            },
        };
    }

    public static JsonObject MachineDeployment(string name, int replicas, int ready, int min, int max, string? model = null, int? gpus = null)
    {
        var annotations = new JsonObject
        {
            ["cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"] = min.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (model is not null)
        {
            annotations["aisto.io/gpu-model"] = model;
        }

        if (gpus is not null)
        {
            annotations["capacity.cluster-autoscaler.kubernetes.io/gpu-count"] = gpus.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new JsonObject
        {
            ["apiVersion"] = "cluster.x-k8s.io/v1beta1",
            ["kind"] = "MachineDeployment",
            ["metadata"] = new JsonObject { ["name"] = name, ["annotations"] = annotations },
            ["spec"] = new JsonObject { ["replicas"] = replicas, ["clusterName"] = "us-east" },
            ["status"] = new JsonObject { ["replicas"] = replicas, ["readyReplicas"] = ready },
        };
    }

    public static JsonObject Machine(string name, string deployment, string node) => new()
    {
        ["apiVersion"] = "cluster.x-k8s.io/v1beta1",
        ["kind"] = "Machine",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["cluster.x-k8s.io/deployment-name"] = deployment } },
        ["spec"] = new JsonObject { ["clusterName"] = "us-east" },
        ["status"] = new JsonObject { ["nodeRef"] = new JsonObject { ["kind"] = "Node", ["name"] = node } },
    };

    public static JsonObject ExternalPod(string name, string node, string resource, int count) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = "someone-else" } },
        ["spec"] = new JsonObject
        {
            ["nodeName"] = node,
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "main",
                ["image"] = "busybox",
                ["resources"] = new JsonObject { ["limits"] = new JsonObject { [resource] = count.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
            }),
        },
        ["status"] = new JsonObject { ["phase"] = "Running" },
    };

    /// <summary>Polls <paramref name="condition"/> until it holds (asynchronous work settles), failing after <paramref name="seconds"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 10)
    {
        for (var i = 0; i < seconds * 20; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Timed out waiting until {what}.");
    }
}
