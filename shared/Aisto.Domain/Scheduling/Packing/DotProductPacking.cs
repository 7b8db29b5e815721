namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// Dot product (Tetris-style alignment): the node whose free CPU, memory and GPU, each as a share of the node's
/// capacity, align best with the request's demand in the same units (largest dot product first).
/// </summary>
public sealed class DotProductPacking(PackingCluster cluster) : ShapeIndexedPacking(cluster)
{
    private const double Scale = 1e12;

    public override string Name => "dot-product";

    protected override ShapeScore Score(NodeShape shape, in PackingRequest request)
    {
        var type = shape.Type;
        var cpu = Share(request.CpuMilli, type.CpuMilli) * Share(shape.CpuFreeMilli, type.CpuMilli);
        var memory = Share(request.MemoryMiB, type.MemoryMiB) * Share(shape.MemoryFreeMiB, type.MemoryMiB);
        var gpuCapacity = type.GpuCount * (long)GpuDemand.MilliPerGpu;
        var gpu = Share(request.TotalGpuMilli, gpuCapacity) * Share(shape.TotalFreeMilli, gpuCapacity);
        var dot = cpu + memory + gpu;
        return new ShapeScore(-(long)Math.Round(dot * Scale), shape.TotalFreeMilli, BestFitPacking.FullestSlot(shape, request));
    }

    private static double Share(long part, long whole) => whole <= 0 ? 0.0 : part / (double)whole;
}
