namespace Aisto.Domain.Scheduling.Pools;

/// <summary>The three guaranteed shares of every region's GPUs.</summary>
public enum CapacityPool
{
    Leasing,
    Depin,
    Incubation,
}
