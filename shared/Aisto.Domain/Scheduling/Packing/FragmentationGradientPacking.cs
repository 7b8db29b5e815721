namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// Fragmentation Gradient Descent (Weng et al., USENIX ATC '23), implemented from the paper's description: place
/// the request where the node's fragmentation against the target workload grows least; within a node, a share
/// of a GPU goes to the GPU whose choice grows fragmentation least.
/// </summary>
public sealed class FragmentationGradientPacking(PackingCluster cluster, WorkloadProfile profile) : ShapeIndexedPacking(cluster)
{
    private readonly FragmentationMeasure _measure = new(profile);

    public override string Name => "fgd";

    protected override ShapeScore Score(NodeShape shape, in PackingRequest request)
    {
        var (delta, slot) = FragmentationGradient.Least(Cluster, _measure, shape, request);
        return new ShapeScore(delta, 0, slot);
    }
}

/// <summary>The fragmentation increase of placing a request on a shape, minimised over the GPU choice.</summary>
internal static class FragmentationGradient
{
    public static (long Delta, int Slot) Least(PackingCluster cluster, FragmentationMeasure measure, NodeShape shape, in PackingRequest request)
    {
        var before = measure.Of(shape);
        if (!request.IsFractional)
        {
            return (measure.Of(cluster.After(shape, request)) - before, -1);
        }

        // Try each distinct free level that holds the share, fullest first so ties keep GPUs whole.
        var free = shape.FreeMilli;
        var bestSlot = -1;
        var best = long.MaxValue;
        for (var s = free.Length - 1; s >= 0; s--)
        {
            if (free[s] < request.GpuMilli || (s + 1 < free.Length && free[s] == free[s + 1] && bestSlot >= 0 && free[s + 1] >= request.GpuMilli))
            {
                continue;
            }

            var after = measure.Of(cluster.After(shape, request, s));
            if (after < best)
            {
                best = after;
                bestSlot = s;
            }
        }

        return (best - before, bestSlot);
    }
}
