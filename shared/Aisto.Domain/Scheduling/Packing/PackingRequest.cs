namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// A request in the packing engine's compact form: GPUs (0 = CPU only; 1 with <see cref="GpuMilli"/> below 1000 =
/// a share of one GPU; otherwise whole GPUs), CPU, memory and the allowed models as a catalog mask (0 = any).
/// </summary>
public readonly record struct PackingRequest(int GpuCount, int GpuMilli, int CpuMilli, long MemoryMiB, ulong ModelMask = 0)
{
    public bool IsFractional => GpuCount == 1 && GpuMilli < GpuDemand.MilliPerGpu;

    /// <summary>GPU demand in thousandths of a GPU.</summary>
    public int TotalGpuMilli => IsFractional ? GpuMilli : GpuCount * GpuDemand.MilliPerGpu;

    public static PackingRequest Whole(int gpus, int cpuMilli, long memoryMiB, ulong modelMask = 0) =>
        new(gpus, gpus == 0 ? 0 : GpuDemand.MilliPerGpu, cpuMilli, memoryMiB, modelMask);

    public static PackingRequest Shared(int gpuMilli, int cpuMilli, long memoryMiB, ulong modelMask = 0) =>
        new(1, gpuMilli, cpuMilli, memoryMiB, modelMask);

    /// <summary>The compact form of a domain request against a cluster's model catalog.</summary>
    public static PackingRequest From(ResourceRequest request, GpuModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        var mask = catalog.MaskOf(request.AllowedModels);
        return request.Gpu.IsFractional
            ? Shared(request.Gpu.FractionMilli, request.CpuMilli, request.MemoryMiB, mask)
            : Whole(request.Gpu.WholeGpus, request.CpuMilli, request.MemoryMiB, mask);
    }

    public bool AllowsModel(int modelIndex) => ModelMask == 0 || (ModelMask & (1UL << modelIndex)) != 0;
}
