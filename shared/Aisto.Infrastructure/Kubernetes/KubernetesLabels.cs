namespace Aisto.Infrastructure.Kubernetes;

/// <summary>The labels and annotations AISTO puts on, and reads from, cluster objects.</summary>
public static class KubernetesLabels
{
    public const string LeaseId = "aisto.io/lease-id";
    public const string Tenant = "aisto.io/tenant";
    public const string Pool = "aisto.io/pool";
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "aisto";
    public const string Node = "aisto.io/node";
    public const string GpuIndices = "aisto.io/gpu-indices";
    public const string GpuMilli = "aisto.io/gpu-milli";

    /// <summary>Set by NVIDIA GPU feature discovery on every GPU node.</summary>
    public const string GpuProduct = "nvidia.com/gpu.product";
    public const string GpuCount = "nvidia.com/gpu.count";
    public const string GpuResource = "nvidia.com/gpu";
    public const string Hostname = "kubernetes.io/hostname";

    /// <summary>Cluster API: the machine to remove first when its MachineDeployment shrinks.</summary>
    public const string DeleteMachine = "cluster.x-k8s.io/delete-machine";
    public const string MachineDeploymentName = "cluster.x-k8s.io/deployment-name";

    /// <summary>Cluster API cluster-autoscaler bounds of a MachineDeployment, read as the pool's min and max.</summary>
    public const string MinSize = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";
    public const string MaxSize = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size";

    /// <summary>Cluster-autoscaler scale-from-zero hint: GPUs per node of a pool that has no node yet.</summary>
    public const string GpuCountHint = "capacity.cluster-autoscaler.kubernetes.io/gpu-count";

    /// <summary>AISTO's own hint: the GPU model of a pool that has no node yet.</summary>
    public const string GpuModelHint = "aisto.io/gpu-model";
}
