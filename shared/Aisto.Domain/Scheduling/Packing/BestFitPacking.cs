namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// Best fit: the node the request leaves with the least free GPU capacity, then the least free CPU; a share of a
/// GPU goes to the fullest GPU it fits on.
/// </summary>
public sealed class BestFitPacking(PackingCluster cluster) : ShapeIndexedPacking(cluster)
{
    public override string Name => "best-fit";

    protected override ShapeScore Score(NodeShape shape, in PackingRequest request) =>
        new(shape.TotalFreeMilli - request.TotalGpuMilli, shape.CpuFreeMilli - request.CpuMilli, FullestSlot(shape, request));

    /// <summary>For a share: the slot of the fullest GPU that still holds it; -1 otherwise.</summary>
    internal static int FullestSlot(NodeShape shape, in PackingRequest request)
    {
        if (!request.IsFractional)
        {
            return -1;
        }

        var free = shape.FreeMilli;
        for (var s = free.Length - 1; s >= 0; s--)
        {
            if (free[s] >= request.GpuMilli)
            {
                return s;
            }
        }

        return -1;
    }
}
