using Aisto.Domain.Scheduling.Packing;

namespace Aisto.Sim.Trace;

/// <summary>One pod of an openb pod list: CPU, memory, GPUs (whole or a share) and the allowed GPU models.</summary>
public sealed record TracePod(string Name, int CpuMilli, long MemoryMiB, int NumGpu, int GpuMilli, IReadOnlyList<string> GpuSpec)
{
    /// <summary>The pod as a packing request against the cluster's model catalog.</summary>
    public PackingRequest ToRequest(GpuModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var mask = catalog.MaskOf(GpuSpec);
        return NumGpu == 1 && GpuMilli is > 0 and < 1000
            ? PackingRequest.Shared(GpuMilli, CpuMilli, MemoryMiB, mask)
            : PackingRequest.Whole(NumGpu, CpuMilli, MemoryMiB, mask);
    }
}
