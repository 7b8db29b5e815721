namespace Aisto.Sim.Autoscale;

/// <summary>What an autoscaling policy sees of the simulated fleet at one tick.</summary>
internal sealed record FleetView(
    double Now,
    DateTimeOffset At,
    IReadOnlyList<SimNode> Nodes,
    double RequestedGpus,
    double RequestedPeakGpus,
    double RunningGpus,
    double PendingGpus,
    int PendingRequests,
    IFleetForesight Foresight)
{
    public IEnumerable<SimNode> ReadyNodes => Nodes.Where(n => n.IsReady(Now));

    public int ProvisioningNodes => Nodes.Count(n => !n.IsReady(Now));

    public double ReadyCapacityGpus(int gpusPerNode) => ReadyNodes.Count(n => !n.Draining) * (double)gpusPerNode;
}
