using System.Text;
using k8s;

namespace Aisto.Infrastructure.Kubernetes;

/// <summary>Builds the client of a region's cluster from its kubeconfig (inline YAML or a file) and context.</summary>
public static class KubernetesClientFactory
{
    public static IKubernetes Create(KubernetesClusterOptions cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var context = string.IsNullOrWhiteSpace(cluster.Context) ? null : cluster.Context;
        KubernetesClientConfiguration config;
        if (!string.IsNullOrWhiteSpace(cluster.Kubeconfig))
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(cluster.Kubeconfig));
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(stream, context);
        }
        else
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.KubeconfigPath, context);
        }

        return new k8s.Kubernetes(config);
    }
}
