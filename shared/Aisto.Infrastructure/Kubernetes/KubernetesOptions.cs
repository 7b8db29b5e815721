namespace Aisto.Infrastructure.Kubernetes;

/// <summary>How AISTO drives the Kubernetes cluster of a region (<c>Aisto:Kubernetes</c>); clusters are per region.</summary>
public sealed class KubernetesOptions
{
    public const string Section = "Aisto:Kubernetes";

    /// <summary>NCRONTAB (6 fields) of the timer that reconciles each cluster's workloads with the lease store.</summary>
    public string ReconcileSchedule { get; set; } = "*/30 * * * * *";

    /// <summary>How often each cluster's API server is probed.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Consecutive failed probes before the region is marked down (one success marks it up).</summary>
    public int HealthFailureThreshold { get; set; } = 3;

    /// <summary>Timeout of one API call attempt; transient failures are retried (Polly) within <see cref="OperationTimeout"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound of one operation including its retries.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Retries of a transient failure (429, 5xx, timeouts, connection errors).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First retry delay; doubled with jitter per attempt (a 429's Retry-After wins when longer).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Tenant namespaces are this prefix plus the tenant id.</summary>
    public string NamespacePrefix { get; set; } = "aisto-";

    /// <summary>The node label naming a node's pool (the Cluster API MachineDeployment that made it).</summary>
    public string NodePoolLabel { get; set; } = "node.cluster.x-k8s.io/pool";

    /// <summary>Image run for a lease that names no workload (the tenant gets the GPUs with a sleeping container).</summary>
    public string DefaultImage { get; set; } = "nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04";

    /// <summary>AISTO GPU model → values of the node label <c>nvidia.com/gpu.product</c> that are that model.</summary>
    public Dictionary<string, List<string>> GpuProducts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Extended resources for a share of one GPU: the first entry whose model matches (or is <c>*</c>) and whose
    /// <see cref="FractionalGpuResource.MaxMilli"/> covers the share is used — MIG profiles or time-sliced GPUs.
    /// </summary>
    public List<FractionalGpuResource> FractionalGpuResources { get; set; } = [];

    /// <summary>Taints of GPU nodes that lease pods tolerate.</summary>
    public List<GpuToleration> GpuTolerations { get; set; } = [];

    /// <summary>Limits of every tenant's namespace unless <see cref="TenantQuotas"/> names the tenant.</summary>
    public TenantQuotaOptions DefaultTenantQuota { get; set; } = new();

    /// <summary>Per-tenant limits (tenant id → limits).</summary>
    public Dictionary<string, TenantQuotaOptions> TenantQuotas { get; set; } = new(StringComparer.Ordinal);

    public TenantQuotaOptions QuotaFor(string tenantId) =>
        TenantQuotas.TryGetValue(tenantId, out var quota) ? quota : DefaultTenantQuota;
}

/// <summary>The extended resource that gives a pod a share of one GPU up to <see cref="MaxMilli"/> thousandths.</summary>
public sealed class FractionalGpuResource
{
    /// <summary>AISTO GPU model, or <c>*</c> for any.</summary>
    public string Model { get; set; } = "*";

    public int MaxMilli { get; set; } = 1000;

    /// <summary>e.g. <c>nvidia.com/mig-3g.40gb</c> (MIG) or <c>nvidia.com/gpu.shared</c> (time-slicing).</summary>
    public string Resource { get; set; } = "";
}

/// <summary>A taint GPU nodes carry and lease pods tolerate.</summary>
public sealed class GpuToleration
{
    public string Key { get; set; } = "nvidia.com/gpu";

    /// <summary><c>Exists</c> (any value) or <c>Equal</c> (<see cref="Value"/>).</summary>
    public string Operator { get; set; } = "Exists";

    public string? Value { get; set; }

    public string Effect { get; set; } = "NoSchedule";
}

/// <summary>A tenant's limits, enforced in its namespace by a ResourceQuota and a LimitRange.</summary>
public sealed class TenantQuotaOptions
{
    public int MaxGpus { get; set; } = 64;
    public int MaxCpuCores { get; set; } = 1024;
    public int MaxMemoryGiB { get; set; } = 8192;
    public int MaxJobs { get; set; } = 128;

    /// <summary>Requests and limits a container without its own get (leases carry no CPU/memory per container).</summary>
    public int DefaultCpuCores { get; set; } = 4;
    public int DefaultMemoryGiB { get; set; } = 16;
}

/// <summary>Where a region's cluster is: a kubeconfig (file path or inline YAML) and the context to use.</summary>
public sealed class KubernetesClusterOptions
{
    /// <summary>Path of a kubeconfig file.</summary>
    public string? KubeconfigPath { get; set; }

    /// <summary>The kubeconfig itself (YAML), e.g. from a Key Vault reference; wins over <see cref="KubeconfigPath"/>.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>Context to use; the kubeconfig's current-context when empty.</summary>
    public string? Context { get; set; }

    /// <summary>Namespace of the Cluster API MachineDeployments that are the region's node pools.</summary>
    public string ClusterApiNamespace { get; set; } = "default";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Kubeconfig) || !string.IsNullOrWhiteSpace(KubeconfigPath);
}
