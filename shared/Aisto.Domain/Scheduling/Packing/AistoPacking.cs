namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// AISTO's packing: fragmentation gradient descent on a measure with lookahead — for each kind of the target
/// workload, the free GPU it cannot use now (the paper's measure) plus the free GPU it could not use even if
/// copies of it kept filling the node, so CPU or memory running out before the GPUs counts at once. Ties (common:
/// many nodes change equally) go to the node the request leaves fullest, keeping idle nodes whole for big requests.
/// </summary>
public sealed class AistoPacking(PackingCluster cluster, WorkloadProfile profile) : ShapeIndexedPacking(cluster)
{
    private readonly FragmentationMeasure _measure = new(profile, fillLookahead: true);

    public override string Name => "aisto";

    protected override ShapeScore Score(NodeShape shape, in PackingRequest request)
    {
        var (delta, slot) = FragmentationGradient.Least(Cluster, _measure, shape, request);
        return new ShapeScore(delta, shape.TotalFreeMilli - request.TotalGpuMilli, slot);
    }
}
