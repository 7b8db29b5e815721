namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// AISTO's packing: fragmentation gradient descent (as in <see cref="FragmentationGradientPacking"/>) on a measure
/// with lookahead — for each kind of the target workload, the free GPU it cannot use now (the paper's measure)
/// plus the free GPU it could not use even if copies of it kept filling the node, so CPU or memory running out
/// before the GPUs counts at once. Kinds that take a share of a GPU dominate the measure (×50): they are the ones
/// that break GPUs into pieces, and GPU-level packing decides most of what is left unallocated; whole-GPU kinds
/// then mostly break near-ties. Ties go to the node the request leaves fullest. Finally, smaller requests pass
/// over the last few idle nodes large enough for the largest kind (<see cref="IdleLargeNodeReservePercent"/>)
/// while anything else fits, so 8-GPU work is not shut out early.
/// </summary>
public sealed class AistoPacking(PackingCluster cluster, WorkloadProfile profile) : ShapeIndexedPacking(cluster)
{
    /// <summary>How much more a GPU-sharing kind weighs in the measure than its frequency alone.</summary>
    /// <remarks>Chosen on seeds 101–109 of the openb replay: ×2 → 268 GPUs unallocated, ×10 → 264, ×20–200 → 261–263.</remarks>
    public const long SharedKindWeight = 50;

    private readonly FragmentationMeasure _measure = new(
        WorkloadProfile.Of(profile.Kinds.Select(k => (k.Request, k.Request.IsFractional ? k.Weight * SharedKindWeight : k.Weight))),
        fillLookahead: true);

    /// <summary>
    /// Share of the nodes big enough for the largest kind that small requests leave idle while anything else fits,
    /// so large requests still find a whole node late in a fill. (Chosen on seeds 101–109: reserving 20 of the
    /// trace's 618 eight-GPU nodes beat 0, 4, 10, 40 and 80.)
    /// </summary>
    public const int IdleLargeNodeReservePercent = 3;

    private readonly int _largestKindGpus = profile.Kinds.IsEmpty ? 0 : profile.Kinds.Max(k => k.Request.GpuCount);
    private int[]? _idleLargeShapes;
    private int _reserve;

    public override string Name => "aisto";

    protected override bool Avoid(NodeShape shape, in PackingRequest request)
    {
        if (_largestKindGpus < 2 || request.GpuCount >= _largestKindGpus ||
            shape.Type.GpuCount < _largestKindGpus || shape.FullFreeGpus != shape.Type.GpuCount)
        {
            return false;
        }

        if (_idleLargeShapes is null)
        {
            var largeTypes = Cluster.NodeTypes.Where(t => t.GpuCount >= _largestKindGpus).ToList();
            _idleLargeShapes = [.. largeTypes.Select(t => Cluster.IdleShape(t).Id)];
            var largeNodes = Enumerable.Range(0, Cluster.NodeCount).Count(n => Cluster.Spec(n).GpuCount >= _largestKindGpus);
            _reserve = (int)Math.Ceiling(largeNodes * IdleLargeNodeReservePercent / 100.0);
        }

        var idle = 0;
        foreach (var id in _idleLargeShapes)
        {
            idle += Cluster.NodesWithShape(id);
        }

        return idle <= _reserve;
    }

    protected override ShapeScore Score(NodeShape shape, in PackingRequest request)
    {
        var (delta, slot) = FragmentationGradient.Least(Cluster, _measure, shape, request);
        return new ShapeScore(delta, shape.TotalFreeMilli - request.TotalGpuMilli, slot);
    }
}
