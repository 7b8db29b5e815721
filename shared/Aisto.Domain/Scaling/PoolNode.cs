namespace Aisto.Domain.Scaling;

/// <summary>A ready node of a pool as the planner sees it: what runs on it and whether it is being drained.</summary>
public sealed record PoolNode(string NodeId, double RunningGpus, bool Draining = false)
{
    public bool IsIdle => RunningGpus <= 0;
}
