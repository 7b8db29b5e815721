using System.Numerics;

namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// The placement engine's working copy of a cluster: per node, what each GPU, the CPU and the memory have in use,
/// and the node's current <see cref="NodeShape"/>. Mutable on purpose (a scheduling cycle places thousands of
/// requests against one snapshot); it never over-allocates: <see cref="Allocate"/> refuses what does not fit.
/// </summary>
public sealed class PackingCluster
{
    /// <summary>The most GPUs one node may have (each GPU's free thousandths take 10 bits of a shape key).</summary>
    public const int MaxGpusPerNode = 12;

    private readonly record struct ShapeKey(int Type, int CpuFree, long MemoryFree, UInt128 Gpus);

    private readonly PackingNodeSpec[] _specs;
    private readonly PackingNodeType[] _typeOf;
    private readonly int[] _cpuUsed;
    private readonly long[] _memoryUsed;
    private readonly int[] _gpuUsed;
    private readonly int[] _shapeOf;
    private readonly List<PackingNodeType> _types = [];
    private readonly List<NodeShape> _shapes = [];
    private readonly List<SortedSet<int>?> _nodesOfShape = [];
    private readonly Dictionary<ShapeKey, int> _shapeIds = [];
    private readonly List<IShapeObserver> _observers = [];
    private readonly int[] _scratch = new int[MaxGpusPerNode];
    private readonly int[] _fullGpus = new int[MaxGpusPerNode];

    public PackingCluster(IEnumerable<PackingNodeSpec> nodes, GpuModelCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Catalog = catalog ?? new GpuModelCatalog();
        _specs = [.. nodes];
        var n = _specs.Length;
        _typeOf = new PackingNodeType[n];
        _cpuUsed = new int[n];
        _memoryUsed = new long[n];
        _gpuUsed = new int[n * MaxGpusPerNode];
        _shapeOf = new int[n];
        var typeIds = new Dictionary<(int, int, int, long), PackingNodeType>();
        for (var i = 0; i < n; i++)
        {
            var s = _specs[i];
            if (s.GpuCount is < 0 or > MaxGpusPerNode)
            {
                throw new ArgumentOutOfRangeException(nameof(nodes), $"Node {s.Name} has {s.GpuCount} GPUs; at most {MaxGpusPerNode}.");
            }

            var key = (Catalog.Intern(s.Model), s.GpuCount, s.CpuMilli, s.MemoryMiB);
            if (!typeIds.TryGetValue(key, out var type))
            {
                type = new PackingNodeType(_types.Count, key.Item1, s.GpuCount, s.CpuMilli, s.MemoryMiB);
                _types.Add(type);
                typeIds.Add(key, type);
            }

            _typeOf[i] = type;
            _shapeOf[i] = -1;
        }

        for (var i = 0; i < n; i++)
        {
            MoveToShape(i, ComputeShape(i));
        }

        TotalGpuMilli = _specs.Sum(s => s.GpuCount * GpuDemand.MilliPerGpu);
    }

    /// <summary>The packing view of domain nodes, with what they already hold (node i of the list is node i here).</summary>
    public static PackingCluster From(IReadOnlyList<NodeState> nodes, GpuModelCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var cluster = new PackingCluster(
            nodes.Select(n => new PackingNodeSpec(n.NodeId, n.Model, n.GpuCount, n.CpuMilli, n.MemoryMiB)), catalog);
        for (var i = 0; i < nodes.Count; i++)
        {
            cluster.Refresh(i, nodes[i]);
        }

        return cluster;
    }

    /// <summary>
    /// Node <paramref name="node"/> now holds what <paramref name="state"/> holds (the same node, booked or freed
    /// elsewhere): its usage and shape follow, and the observers hear of it.
    /// </summary>
    public void Refresh(int node, NodeState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        SetUsage(node, state.GpuMilliUsed.AsSpan(), state.CpuUsedMilli, state.MemoryUsedMiB);
    }

    /// <summary>Marks the node as holding everything it has, so nothing is placed on it until it is refreshed.</summary>
    public void Fill(int node)
    {
        var full = _fullGpus.AsSpan(0, _specs[node].GpuCount);
        full.Fill(GpuDemand.MilliPerGpu);
        SetUsage(node, full, _specs[node].CpuMilli, _specs[node].MemoryMiB);
    }

    private void SetUsage(int node, ReadOnlySpan<int> gpuUsed, int cpuUsed, long memoryUsed)
    {
        var baseIndex = node * MaxGpusPerNode;
        for (var g = 0; g < _specs[node].GpuCount; g++)
        {
            AllocatedGpuMilli += gpuUsed[g] - _gpuUsed[baseIndex + g];
            _gpuUsed[baseIndex + g] = gpuUsed[g];
        }

        _cpuUsed[node] = cpuUsed;
        _memoryUsed[node] = memoryUsed;
        MoveToShape(node, ComputeShape(node));
    }

    public GpuModelCatalog Catalog { get; }

    public int NodeCount => _specs.Length;

    public long TotalGpuMilli { get; }

    public long AllocatedGpuMilli { get; private set; }

    public IReadOnlyList<PackingNodeType> NodeTypes => _types;

    public PackingNodeSpec Spec(int node) => _specs[node];

    public NodeShape ShapeOf(int node) => _shapes[_shapeOf[node]];

    public NodeShape Shape(int shapeId) => _shapes[shapeId];

    public int CpuUsedMilli(int node) => _cpuUsed[node];

    public long MemoryUsedMiB(int node) => _memoryUsed[node];

    public int GpuUsedMilli(int node, int gpu) => _gpuUsed[(node * MaxGpusPerNode) + gpu];

    /// <summary>How many nodes have the shape now.</summary>
    public int NodesWithShape(int shapeId) => _nodesOfShape[shapeId]?.Count ?? 0;

    /// <summary>The shape of an idle node of <paramref name="type"/>.</summary>
    public NodeShape IdleShape(PackingNodeType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var free = _scratch.AsSpan(0, type.GpuCount);
        free.Fill(GpuDemand.MilliPerGpu);
        return Intern(type, type.CpuMilli, type.MemoryMiB, free);
    }

    /// <summary>Shapes that at least one node has now.</summary>
    public IEnumerable<NodeShape> LiveShapes
    {
        get
        {
            for (var i = 0; i < _shapes.Count; i++)
            {
                if (_nodesOfShape[i] is { Count: > 0 })
                {
                    yield return _shapes[i];
                }
            }
        }
    }

    /// <summary>The lowest-numbered node that has the shape now, or -1.</summary>
    public int FirstNodeOf(int shapeId) => _nodesOfShape[shapeId] is { Count: > 0 } set ? set.Min : -1;

    public void Subscribe(IShapeObserver observer) => _observers.Add(observer);

    public bool Fits(int node, in PackingRequest request) => ShapeOf(node).Fits(request);

    /// <summary>
    /// The shape a node of <paramref name="shape"/> would have after taking the request; for a share of a GPU,
    /// <paramref name="sharedGpuSlot"/> names the GPU by its position in <see cref="NodeShape.FreeMilli"/>.
    /// </summary>
    public NodeShape After(NodeShape shape, in PackingRequest request, int sharedGpuSlot = -1)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var free = _scratch.AsSpan(0, shape.Type.GpuCount);
        shape.FreeMilli.CopyTo(free);
        if (request.IsFractional)
        {
            free[sharedGpuSlot] -= request.GpuMilli;
        }
        else if (request.GpuCount > 0)
        {
            // Whole GPUs take idle ones: the first slots are the most free.
            for (var g = 0; g < request.GpuCount; g++)
            {
                free[g] = 0;
            }
        }

        return Intern(shape.Type, shape.CpuFreeMilli - request.CpuMilli, shape.MemoryFreeMiB - request.MemoryMiB, free);
    }

    /// <summary>Takes the request on the chosen node; null when it does not fit there.</summary>
    public PackingAllocation? Allocate(PackingChoice choice, in PackingRequest request)
    {
        var node = choice.Node;
        if (!Fits(node, request))
        {
            return null;
        }

        var baseIndex = node * MaxGpusPerNode;
        var gpuCount = _specs[node].GpuCount;
        var mask = 0;
        var milli = 0;
        if (request.IsFractional)
        {
            var gpu = choice.SharedGpu;
            if (gpu < 0 || gpu >= gpuCount || _gpuUsed[baseIndex + gpu] + request.GpuMilli > GpuDemand.MilliPerGpu)
            {
                gpu = BestFitGpu(node, request.GpuMilli);
            }

            mask = 1 << gpu;
            milli = request.GpuMilli;
            _gpuUsed[baseIndex + gpu] += milli;
        }
        else if (request.GpuCount > 0)
        {
            milli = GpuDemand.MilliPerGpu;
            for (var g = 0; g < gpuCount && BitOperations.PopCount((uint)mask) < request.GpuCount; g++)
            {
                if (_gpuUsed[baseIndex + g] == 0)
                {
                    mask |= 1 << g;
                    _gpuUsed[baseIndex + g] = milli;
                }
            }
        }

        _cpuUsed[node] += request.CpuMilli;
        _memoryUsed[node] += request.MemoryMiB;
        var allocation = new PackingAllocation(node, mask, milli, request.CpuMilli, request.MemoryMiB);
        AllocatedGpuMilli += allocation.TotalGpuMilli;
        MoveToShape(node, ComputeShape(node));
        return allocation;
    }

    /// <summary>Gives back what an allocation holds.</summary>
    public void Release(PackingAllocation allocation)
    {
        var baseIndex = allocation.Node * MaxGpusPerNode;
        for (var g = 0; g < MaxGpusPerNode; g++)
        {
            if ((allocation.GpuMask & (1 << g)) != 0)
            {
                _gpuUsed[baseIndex + g] -= allocation.MilliPerGpu;
            }
        }

        _cpuUsed[allocation.Node] -= allocation.CpuMilli;
        _memoryUsed[allocation.Node] -= allocation.MemoryMiB;
        AllocatedGpuMilli -= allocation.TotalGpuMilli;
        MoveToShape(allocation.Node, ComputeShape(allocation.Node));
    }

    /// <summary>The node's GPU whose free thousandths equal <paramref name="freeMilli"/> (lowest index), or -1.</summary>
    public int GpuWithFree(int node, int freeMilli)
    {
        var baseIndex = node * MaxGpusPerNode;
        for (var g = 0; g < _specs[node].GpuCount; g++)
        {
            if (GpuDemand.MilliPerGpu - _gpuUsed[baseIndex + g] == freeMilli)
            {
                return g;
            }
        }

        return -1;
    }

    /// <summary>The fullest GPU of the node that still has room for the share (lowest index on ties).</summary>
    public int BestFitGpu(int node, int milli)
    {
        var baseIndex = node * MaxGpusPerNode;
        var best = -1;
        for (var g = 0; g < _specs[node].GpuCount; g++)
        {
            var used = _gpuUsed[baseIndex + g];
            if (used + milli <= GpuDemand.MilliPerGpu && (best < 0 || used > _gpuUsed[baseIndex + best]))
            {
                best = g;
            }
        }

        return best;
    }

    private NodeShape ComputeShape(int node)
    {
        var type = _typeOf[node];
        var free = _scratch.AsSpan(0, type.GpuCount);
        for (var g = 0; g < type.GpuCount; g++)
        {
            free[g] = GpuDemand.MilliPerGpu - _gpuUsed[(node * MaxGpusPerNode) + g];
        }

        return Intern(type, type.CpuMilli - _cpuUsed[node], type.MemoryMiB - _memoryUsed[node], free);
    }

    private NodeShape Intern(PackingNodeType type, int cpuFree, long memoryFree, Span<int> free)
    {
        free.Sort(static (a, b) => b.CompareTo(a));
        UInt128 packed = 0;
        foreach (var f in free)
        {
            packed = (packed << 10) | (uint)f;
        }

        var key = new ShapeKey(type.Id, cpuFree, memoryFree, packed);
        if (_shapeIds.TryGetValue(key, out var id))
        {
            return _shapes[id];
        }

        var shape = new NodeShape(_shapes.Count, type, cpuFree, memoryFree, free.ToArray());
        _shapes.Add(shape);
        _nodesOfShape.Add(null);
        _shapeIds.Add(key, shape.Id);
        return shape;
    }

    private void MoveToShape(int node, NodeShape shape)
    {
        var old = _shapeOf[node];
        if (old == shape.Id)
        {
            return;
        }

        if (old >= 0)
        {
            var oldSet = _nodesOfShape[old]!;
            oldSet.Remove(node);
            if (oldSet.Count == 0)
            {
                foreach (var o in _observers)
                {
                    o.ShapeBecameEmpty(_shapes[old]);
                }
            }
        }

        _shapeOf[node] = shape.Id;
        var set = _nodesOfShape[shape.Id] ??= [];
        set.Add(node);
        if (set.Count == 1)
        {
            foreach (var o in _observers)
            {
                o.ShapeBecameLive(shape);
            }
        }
    }
}
