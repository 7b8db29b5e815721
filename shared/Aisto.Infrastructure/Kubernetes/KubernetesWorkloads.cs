using System.Globalization;
using System.Text;
using Aisto.Orchestrations.Regions;
using k8s.Models;

namespace Aisto.Infrastructure.Kubernetes;

/// <summary>
/// Turns a lease into the objects its cluster runs: the tenant's namespace with a ResourceQuota and a LimitRange,
/// and one Job per lease. Pure: the same spec and options give the same objects (docs/kubernetes.md shows them).
/// </summary>
public sealed class KubernetesWorkloads(KubernetesOptions options)
{
    public const string ContainerName = "workload";
    public const string QuotaName = "aisto-tenant-quota";
    public const string LimitRangeName = "aisto-tenant-limits";

    public KubernetesOptions Options => options;

    public string NamespaceFor(string tenantId) => Dns1123(options.NamespacePrefix + tenantId, 63);

    public static string JobNameFor(string leaseId) => Dns1123(leaseId, 63);

    public V1Namespace Namespace(string tenantId) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta
        {
            Name = NamespaceFor(tenantId),
            Labels = new Dictionary<string, string>
            {
                [KubernetesLabels.Tenant] = LabelValue(tenantId),
                [KubernetesLabels.ManagedBy] = KubernetesLabels.ManagedByValue,
            },
        },
    };

    public V1ResourceQuota Quota(string tenantId)
    {
        var quota = options.QuotaFor(tenantId);
        return new V1ResourceQuota
        {
            ApiVersion = "v1",
            Kind = "ResourceQuota",
            Metadata = Meta(QuotaName, tenantId),
            Spec = new V1ResourceQuotaSpec
            {
                Hard = new Dictionary<string, ResourceQuantity>
                {
                    [$"requests.{KubernetesLabels.GpuResource}"] = new(quota.MaxGpus.ToString(CultureInfo.InvariantCulture)),
                    ["requests.cpu"] = new(quota.MaxCpuCores.ToString(CultureInfo.InvariantCulture)),
                    ["requests.memory"] = new($"{quota.MaxMemoryGiB}Gi"),
                    ["limits.memory"] = new($"{quota.MaxMemoryGiB}Gi"),
                    ["count/jobs.batch"] = new(quota.MaxJobs.ToString(CultureInfo.InvariantCulture)),
                },
            },
        };
    }

    public V1LimitRange LimitRange(string tenantId)
    {
        var quota = options.QuotaFor(tenantId);
        var cpu = new ResourceQuantity(quota.DefaultCpuCores.ToString(CultureInfo.InvariantCulture));
        var memory = new ResourceQuantity($"{quota.DefaultMemoryGiB}Gi");
        return new V1LimitRange
        {
            ApiVersion = "v1",
            Kind = "LimitRange",
            Metadata = Meta(LimitRangeName, tenantId),
            Spec = new V1LimitRangeSpec
            {
                Limits =
                [
                    new V1LimitRangeItem
                    {
                        Type = "Container",
                        DefaultRequest = new Dictionary<string, ResourceQuantity> { ["cpu"] = cpu, ["memory"] = memory },
                        DefaultProperty = new Dictionary<string, ResourceQuantity> { ["memory"] = memory },
                        Max = new Dictionary<string, ResourceQuantity>
                        {
                            ["cpu"] = new(quota.MaxCpuCores.ToString(CultureInfo.InvariantCulture)),
                            ["memory"] = new($"{quota.MaxMemoryGiB}Gi"),
                        },
                    },
                ],
            },
        };
    }

    /// <summary>The Job of one lease, pinned to its booked node, with the GPU resources of its booking.</summary>
    public V1Job Job(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var labels = new Dictionary<string, string>
        {
            [KubernetesLabels.LeaseId] = LabelValue(spec.LeaseId),
            [KubernetesLabels.Tenant] = LabelValue(spec.TenantId),
            [KubernetesLabels.Pool] = LabelValue(spec.Pool),
            [KubernetesLabels.ManagedBy] = KubernetesLabels.ManagedByValue,
        };
        var (resource, count) = GpuResourceFor(spec);
        var gpus = new Dictionary<string, ResourceQuantity> { [resource] = new(count.ToString(CultureInfo.InvariantCulture)) };
        var workload = spec.Workload;
        var container = new V1Container
        {
            Name = ContainerName,
            Image = workload?.Image ?? options.DefaultImage,
            Command = workload is { Command.Count: > 0 } ? [.. workload.Command] : workload is null ? ["sleep", "infinity"] : null,
            Env = workload is { Env.Count: > 0 }
                ? [.. workload.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new V1EnvVar { Name = e.Key, Value = e.Value })]
                : null,
            Resources = new V1ResourceRequirements { Limits = gpus, Requests = gpus },
        };
        var products = options.GpuProducts.TryGetValue(spec.GpuModel, out var known) && known.Count > 0 ? known : [spec.GpuModel];
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = JobNameFor(spec.LeaseId),
                NamespaceProperty = NamespaceFor(spec.TenantId),
                Labels = labels,
                Annotations = new Dictionary<string, string>
                {
                    [KubernetesLabels.Node] = spec.NodeId,
                    [KubernetesLabels.GpuIndices] = string.Join(',', spec.GpuIndices),
                    [KubernetesLabels.GpuMilli] = spec.MilliPerGpu.ToString(CultureInfo.InvariantCulture),
                },
            },
            Spec = new V1JobSpec
            {
                // A lease's workload runs once: a crash is reported to the lease, not silently restarted on paid time.
                BackoffLimit = 0,
                Completions = 1,
                Parallelism = 1,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        // AISTO already chose the node and booked its GPUs: pin the pod there.
                        NodeSelector = new Dictionary<string, string> { [KubernetesLabels.Hostname] = spec.NodeId },
                        Affinity = new V1Affinity
                        {
                            NodeAffinity = new V1NodeAffinity
                            {
                                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                                {
                                    NodeSelectorTerms =
                                    [
                                    new V1NodeSelectorTerm
                                    {
                                        MatchExpressions =
                                        [
                                            new V1NodeSelectorRequirement
                                            {
                                                Key = KubernetesLabels.GpuProduct,
                                                OperatorProperty = "In",
                                                Values = [.. products],
                                            },
                                        ],
                                    },
                                    ],
                                },
                            },
                        },
                        Tolerations = [.. options.GpuTolerations.Select(t => new V1Toleration
                        {
                            Key = t.Key,
                            OperatorProperty = t.Operator,
                            Value = t.Value,
                            Effect = t.Effect,
                        })],
                        Containers = [container],
                    },
                },
            },
        };
    }

    /// <summary>
    /// Whole GPUs → <c>nvidia.com/gpu: n</c>; a share of one GPU → one unit of the first configured MIG or
    /// time-sliced resource for the model that covers the share.
    /// </summary>
    public (string Resource, int Count) GpuResourceFor(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.MilliPerGpu >= 1000)
        {
            return (KubernetesLabels.GpuResource, spec.GpuIndices.Count);
        }

        var match = options.FractionalGpuResources.FirstOrDefault(r =>
            (r.Model == "*" || string.Equals(r.Model, spec.GpuModel, StringComparison.OrdinalIgnoreCase)) &&
            r.MaxMilli >= spec.MilliPerGpu && r.Resource.Length > 0);
        return match is null
            ? throw new InvalidOperationException(
                $"No fractional GPU resource is configured for {spec.MilliPerGpu}m of a {spec.GpuModel} (Aisto:Kubernetes:FractionalGpuResources).")
            : (match.Resource, 1);
    }

    /// <summary>The AISTO model of a <c>nvidia.com/gpu.product</c> label value, or null when none is configured.</summary>
    public string? ModelOfProduct(string? product)
    {
        if (string.IsNullOrEmpty(product))
        {
            return null;
        }

        foreach (var (model, products) in options.GpuProducts)
        {
            if (products.Contains(product, StringComparer.OrdinalIgnoreCase) || string.Equals(model, product, StringComparison.OrdinalIgnoreCase))
            {
                return model;
            }
        }

        return null;
    }

    /// <summary>Thousandths of a GPU one unit of <paramref name="resource"/> stands for (a whole GPU unless configured as a share).</summary>
    public int MilliOfResource(string resource) =>
        options.FractionalGpuResources.FirstOrDefault(r => r.Resource == resource)?.MaxMilli ?? 1000;

    /// <summary>Every GPU resource name a pod may ask for (whole and shared).</summary>
    public IEnumerable<string> GpuResourceNames() =>
        options.FractionalGpuResources.Select(r => r.Resource).Prepend(KubernetesLabels.GpuResource).Distinct(StringComparer.Ordinal);

    private V1ObjectMeta Meta(string name, string tenantId) => new()
    {
        Name = name,
        NamespaceProperty = NamespaceFor(tenantId),
        Labels = new Dictionary<string, string>
        {
            [KubernetesLabels.Tenant] = LabelValue(tenantId),
            [KubernetesLabels.ManagedBy] = KubernetesLabels.ManagedByValue,
        },
    };

    /// <summary>A DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric.</summary>
    public static string Dns1123(string value, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length);
        foreach (var c in value.ToLowerInvariant())
        {
            text.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-');
        }

        var name = text.ToString();
        if (name.Length > maxLength)
        {
            name = name[..maxLength];
        }

        return name.Trim('-');
    }

    /// <summary>A label value: at most 63 characters of alphanumerics, '-', '_' and '.'.</summary>
    public static string LabelValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }

        var label = text.ToString();
        return (label.Length > 63 ? label[..63] : label).Trim('-', '_', '.');
    }
}
