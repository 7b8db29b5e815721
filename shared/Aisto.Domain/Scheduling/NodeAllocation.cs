using System.Collections.Immutable;

namespace Aisto.Domain.Scheduling;

/// <summary>What one workload holds on one node: which GPUs (and how much of each), CPU and memory.</summary>
/// <param name="HolderId">The lease or task id holding the resources.</param>
/// <param name="GpuIndices">Indices of the node's GPUs used.</param>
/// <param name="MilliPerGpu">Thousandths taken from each of those GPUs (1000 for whole GPUs).</param>
public sealed record NodeAllocation(
    string HolderId,
    ImmutableArray<int> GpuIndices,
    int MilliPerGpu,
    int CpuMilli,
    long MemoryMiB,
    string Pool)
{
    public int TotalGpuMilli => GpuIndices.Length * MilliPerGpu;
}
