namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// What a placement policy can see of a node: its type (model and capacity) and what is free, with the GPUs'
/// free thousandths sorted from most to least free. Nodes of one shape are interchangeable, so policies score
/// shapes, not nodes, and many identical nodes cost one evaluation.
/// </summary>
public sealed class NodeShape
{
    internal NodeShape(int id, PackingNodeType type, int cpuFree, long memoryFree, int[] freeMilli)
    {
        Id = id;
        Type = type;
        CpuFreeMilli = cpuFree;
        MemoryFreeMiB = memoryFree;
        _freeMilli = freeMilli;
        foreach (var f in freeMilli)
        {
            TotalFreeMilli += f;
            if (f == GpuDemand.MilliPerGpu)
            {
                FullFreeGpus++;
            }
        }

        MaxFreeMilli = freeMilli.Length == 0 ? 0 : freeMilli[0];
    }

    private readonly int[] _freeMilli;

    public int Id { get; }
    public PackingNodeType Type { get; }
    public int CpuFreeMilli { get; }
    public long MemoryFreeMiB { get; }

    /// <summary>Free thousandths of each GPU, most free first.</summary>
    public ReadOnlySpan<int> FreeMilli => _freeMilli;

    public int TotalFreeMilli { get; }
    public int FullFreeGpus { get; }
    public int MaxFreeMilli { get; }

    /// <summary>Whether the request fits a node of this shape.</summary>
    public bool Fits(in PackingRequest request)
    {
        if (!request.AllowsModel(Type.ModelIndex) || request.CpuMilli > CpuFreeMilli || request.MemoryMiB > MemoryFreeMiB)
        {
            return false;
        }

        return request.GpuCount == 0 ||
               (request.IsFractional ? request.GpuMilli <= MaxFreeMilli : request.GpuCount <= FullFreeGpus);
    }
}

/// <summary>A node's fixed part: GPU model (catalog index), GPU count, CPU and memory capacity.</summary>
public sealed record PackingNodeType(int Id, int ModelIndex, int GpuCount, int CpuMilli, long MemoryMiB);
