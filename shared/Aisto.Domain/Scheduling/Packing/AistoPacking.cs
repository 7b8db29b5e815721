namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// AISTO's packing: fragmentation gradient descent (as in <see cref="FragmentationGradientPacking"/>) on a measure
/// with lookahead — for each kind of the target workload, the free GPU it cannot use now (the paper's measure)
/// plus the free GPU it could not use even if copies of it kept filling the node, so CPU or memory running out
/// before the GPUs counts at once. Kinds that take a share of a GPU count double: they are the ones that break
/// GPUs into pieces, and GPU-level packing decides most of what is left unallocated. Ties go to the node the
/// request leaves fullest, keeping idle nodes whole for big requests.
/// </summary>
public sealed class AistoPacking(PackingCluster cluster, WorkloadProfile profile) : ShapeIndexedPacking(cluster)
{
    /// <summary>How much more a GPU-sharing kind weighs in the measure than its frequency alone.</summary>
    public const long SharedKindWeight = 2;

    private readonly FragmentationMeasure _measure = new(
        WorkloadProfile.Of(profile.Kinds.Select(k => (k.Request, k.Request.IsFractional ? k.Weight * SharedKindWeight : k.Weight))),
        fillLookahead: true);

    public override string Name => "aisto";

    protected override ShapeScore Score(NodeShape shape, in PackingRequest request)
    {
        var (delta, slot) = FragmentationGradient.Least(Cluster, _measure, shape, request);
        return new ShapeScore(delta, shape.TotalFreeMilli - request.TotalGpuMilli, slot);
    }
}
