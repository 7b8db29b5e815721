using Aisto.Domain.Scaling;

namespace Aisto.Sim.Autoscale;

/// <summary>
/// Cluster-Autoscaler-like: adds nodes for requests that cannot be placed (beyond what is already on its way),
/// removes a node that has run nothing for 10 minutes, and not within 10 minutes of a scale-up
/// (scale-down-unneeded-time and scale-down-delay-after-add at their defaults). Work is never evicted.
/// </summary>
internal sealed class ReactivePolicy(int gpusPerNode, int initialNodes) : IAutoscalePolicy
{
    private static readonly TimeSpan UnneededTime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DelayAfterAdd = TimeSpan.FromMinutes(10);
    private double _lastScaleUp = double.NegativeInfinity;

    public string Name => "reactive";

    public int InitialNodes => initialNodes;

    public ForecastPoint? LastForecast => null;

    public IReadOnlyList<ScaleAction> Decide(FleetView view)
    {
        var incoming = view.ProvisioningNodes * (double)gpusPerNode;
        if (view.PendingGpus > incoming + 1e-9)
        {
            _lastScaleUp = view.Now;
            return [ScaleAction.Provision((int)Math.Ceiling((view.PendingGpus - incoming) / gpusPerNode - 1e-9))];
        }

        if (view.Now - _lastScaleUp < DelayAfterAdd.TotalSeconds)
        {
            return [];
        }

        var unneeded = view.ReadyNodes
            .Where(n => n.UsedMilli == 0 && view.Now - n.EmptySince >= UnneededTime.TotalSeconds)
            .Select(n => n.Id)
            .ToList();
        return unneeded.Count == 0 ? [] : [ScaleAction.On(ScaleActionKind.Remove, unneeded)];
    }
}
