using Aisto.Infrastructure.Kubernetes;
using Microsoft.Azure.Functions.Worker;

namespace Aisto.Functions.Regions;

/// <summary>Timer: reconciles every Kubernetes region's workloads and inventory with the lease store and booking sheet.</summary>
public sealed class KubernetesReconcileFunctions(KubernetesReconciler reconciler)
{
    [Function("ReconcileKubernetesRegions")]
    public Task RunAsync(
        [TimerTrigger("%Aisto:Kubernetes:ReconcileSchedule%")] TimerInfo timer,
        CancellationToken cancellationToken) =>
        reconciler.ReconcileAllAsync(cancellationToken);
}
