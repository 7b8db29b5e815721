using System.Diagnostics.Metrics;

namespace Aisto.Infrastructure.Kubernetes;

/// <summary>Counters of the Kubernetes adapter (meter <c>Aisto.Kubernetes</c>), tagged by region.</summary>
public static class KubernetesMetrics
{
    public static readonly Meter Meter = new("Aisto.Kubernetes");

    /// <summary>Retried API calls.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("aisto.kubernetes.retries");

    /// <summary>Watches restarted from a fresh list (410 Gone or a broken stream).</summary>
    public static readonly Counter<long> WatchRestarts = Meter.CreateCounter<long>("aisto.kubernetes.watch.restarts");

    /// <summary>Corrections made by reconciliation, tagged by kind.</summary>
    public static readonly Counter<long> Corrections = Meter.CreateCounter<long>("aisto.kubernetes.reconcile.corrections");

    /// <summary>Region health transitions (up → down, down → up).</summary>
    public static readonly Counter<long> HealthTransitions = Meter.CreateCounter<long>("aisto.kubernetes.health.transitions");
}
