namespace Aisto.Domain.Scheduling.Pools;

/// <summary>An amount of GPU (thousandths), CPU (millicores) and memory (MiB), added and compared as a vector.</summary>
public readonly record struct ResourceAmount(long GpuMilli, long CpuMilli, long MemoryMiB)
{
    public static ResourceAmount Zero => default;

    public static ResourceAmount operator +(ResourceAmount a, ResourceAmount b) =>
        new(a.GpuMilli + b.GpuMilli, a.CpuMilli + b.CpuMilli, a.MemoryMiB + b.MemoryMiB);

    public static ResourceAmount operator -(ResourceAmount a, ResourceAmount b) =>
        new(a.GpuMilli - b.GpuMilli, a.CpuMilli - b.CpuMilli, a.MemoryMiB - b.MemoryMiB);

    /// <summary>Whether every dimension fits within <paramref name="available"/>.</summary>
    public bool FitsIn(ResourceAmount available) =>
        GpuMilli <= available.GpuMilli && CpuMilli <= available.CpuMilli && MemoryMiB <= available.MemoryMiB;

    public static ResourceAmount Add(ResourceAmount a, ResourceAmount b) => a + b;

    public static ResourceAmount Subtract(ResourceAmount a, ResourceAmount b) => a - b;
}
