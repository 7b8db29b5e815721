using System.Collections.Immutable;

namespace Aisto.Domain.Scheduling;

/// <summary>
/// An immutable view of one GPU node: capacity, what each GPU has in use (thousandths) and who holds what.
/// All changes return a new state; holding twice under one id is impossible by construction.
/// </summary>
public sealed record NodeState
{
    public NodeState(
        string nodeId,
        string region,
        string model,
        int gpuCount,
        int cpuMilli,
        long memoryMiB,
        ImmutableDictionary<string, NodeAllocation>? allocations = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentOutOfRangeException.ThrowIfNegative(gpuCount);
        NodeId = nodeId;
        Region = region;
        Model = model;
        GpuCount = gpuCount;
        CpuMilli = cpuMilli;
        MemoryMiB = memoryMiB;
        Allocations = allocations ?? ImmutableDictionary<string, NodeAllocation>.Empty.WithComparers(StringComparer.Ordinal);
        var used = new int[gpuCount];
        foreach (var a in Allocations.Values)
        {
            foreach (var i in a.GpuIndices)
            {
                used[i] += a.MilliPerGpu;
            }

            CpuUsedMilli += a.CpuMilli;
            MemoryUsedMiB += a.MemoryMiB;
        }

        GpuMilliUsed = ImmutableArray.Create(used);
    }

    public string NodeId { get; }
    public string Region { get; }
    public string Model { get; }
    public int GpuCount { get; }
    public int CpuMilli { get; }
    public long MemoryMiB { get; }
    public ImmutableDictionary<string, NodeAllocation> Allocations { get; }
    public ImmutableArray<int> GpuMilliUsed { get; }
    public int CpuUsedMilli { get; }
    public long MemoryUsedMiB { get; }

    public int CpuFreeMilli => CpuMilli - CpuUsedMilli;
    public long MemoryFreeMiB => MemoryMiB - MemoryUsedMiB;

    /// <summary>GPUs with nothing on them.</summary>
    public int FreeWholeGpus
    {
        get
        {
            var free = 0;
            foreach (var used in GpuMilliUsed)
            {
                free += used == 0 ? 1 : 0;
            }

            return free;
        }
    }

    /// <summary>Unused GPU capacity in thousandths, whole and partial GPUs together.</summary>
    public int FreeGpuMilli => GpuCount * GpuDemand.MilliPerGpu - GpuMilliUsed.Sum();

    /// <summary>Whether the request fits on this node now.</summary>
    public bool Fits(ResourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.AllowsModel(Model) || request.CpuMilli > CpuFreeMilli || request.MemoryMiB > MemoryFreeMiB)
        {
            return false;
        }

        if (!request.Gpu.IsFractional)
        {
            return FreeWholeGpus >= request.Gpu.WholeGpus;
        }

        foreach (var used in GpuMilliUsed)
        {
            if (used + request.Gpu.FractionMilli <= GpuDemand.MilliPerGpu)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Takes the request's resources for <paramref name="holderId"/>. Whole GPUs go to idle GPUs; a share goes to
    /// the fullest GPU it still fits on (best fit), so partly used GPUs fill up before idle ones are broken.
    /// Returns null when it does not fit. Allocating again under an id already held returns the same state.
    /// </summary>
    public (NodeState Node, NodeAllocation Allocation)? TryAllocate(string holderId, ResourceRequest request, string pool, BookingTerms? terms = null)
    {
        if (Allocations.TryGetValue(holderId, out var existing))
        {
            return (this, existing);
        }

        var gpus = ChooseGpus(request);
        if (gpus is null)
        {
            return null;
        }

        var allocation = new NodeAllocation(
            holderId,
            gpus.Value,
            request.Gpu.IsFractional ? request.Gpu.FractionMilli : GpuDemand.MilliPerGpu,
            request.CpuMilli,
            request.MemoryMiB,
            pool,
            terms);
        return (WithAllocations(Allocations.Add(holderId, allocation)), allocation);
    }

    /// <summary>Gives back whatever <paramref name="holderId"/> holds; releasing twice changes nothing.</summary>
    public NodeState Release(string holderId) =>
        Allocations.ContainsKey(holderId) ? WithAllocations(Allocations.Remove(holderId)) : this;

    /// <summary>The same node holding exactly <paramref name="allocations"/>.</summary>
    public NodeState WithAllocations(ImmutableDictionary<string, NodeAllocation> allocations) =>
        new(NodeId, Region, Model, GpuCount, CpuMilli, MemoryMiB, allocations);

    private ImmutableArray<int>? ChooseGpus(ResourceRequest request)
    {
        if (!request.AllowsModel(Model) || request.CpuMilli > CpuFreeMilli || request.MemoryMiB > MemoryFreeMiB)
        {
            return null;
        }

        if (request.Gpu.IsFractional)
        {
            var best = -1;
            for (var i = 0; i < GpuCount; i++)
            {
                var used = GpuMilliUsed[i];
                if (used + request.Gpu.FractionMilli <= GpuDemand.MilliPerGpu && (best < 0 || used > GpuMilliUsed[best]))
                {
                    best = i;
                }
            }

            return best < 0 ? null : [best];
        }

        if (FreeWholeGpus < request.Gpu.WholeGpus)
        {
            return null;
        }

        var chosen = ImmutableArray.CreateBuilder<int>(request.Gpu.WholeGpus);
        for (var i = 0; i < GpuCount && chosen.Count < request.Gpu.WholeGpus; i++)
        {
            if (GpuMilliUsed[i] == 0)
            {
                chosen.Add(i);
            }
        }

        return chosen.MoveToImmutable();
    }
}
