namespace Aisto.Domain.Scheduling;

/// <summary>What one workload needs from one node: GPUs of an allowed model, CPU and memory.</summary>
/// <param name="AllowedModels">GPU model ids that satisfy the request; empty = any model.</param>
public sealed record ResourceRequest(
    IReadOnlyList<string> AllowedModels,
    GpuDemand Gpu,
    int CpuMilli,
    long MemoryMiB)
{
    public static ResourceRequest For(string model, GpuDemand gpu, int cpuCores, int memoryGiB) =>
        new([model], gpu, cpuCores * 1000, memoryGiB * 1024L);

    public bool AllowsModel(string model) =>
        AllowedModels.Count == 0 || AllowedModels.Contains(model, StringComparer.OrdinalIgnoreCase);
}
