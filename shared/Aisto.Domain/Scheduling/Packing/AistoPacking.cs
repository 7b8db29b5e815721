namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// AISTO's packing: fragmentation gradient descent against the target workload, with ties (common: many nodes
/// grow fragmentation equally) broken toward the node the request leaves fullest, so whole idle nodes stay
/// whole for the large requests that need them.
/// </summary>
public sealed class AistoPacking(PackingCluster cluster, WorkloadProfile profile) : ShapeIndexedPacking(cluster)
{
    private readonly FragmentationMeasure _measure = new(profile);

    public override string Name => "aisto";

    protected override ShapeScore Score(NodeShape shape, in PackingRequest request)
    {
        var (delta, slot) = FragmentationGradient.Least(Cluster, _measure, shape, request);
        return new ShapeScore(delta, shape.TotalFreeMilli - request.TotalGpuMilli, slot);
    }
}
