namespace Aisto.Domain.Scheduling.Packing;

/// <summary>The capacity of one node in the packing engine.</summary>
public sealed record PackingNodeSpec(string Name, string Model, int GpuCount, int CpuMilli, long MemoryMiB);
