namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// What one placed request holds: the node, the GPUs (bit i = GPU i) and the thousandths taken from each of them.
/// </summary>
public readonly record struct PackingAllocation(int Node, int GpuMask, int MilliPerGpu, int CpuMilli, long MemoryMiB)
{
    public int TotalGpuMilli => System.Numerics.BitOperations.PopCount((uint)GpuMask) * MilliPerGpu;
}

/// <summary>A policy's choice: the node, and for a share of a GPU which GPU of that node takes it.</summary>
public readonly record struct PackingChoice(int Node, int SharedGpu = -1);
