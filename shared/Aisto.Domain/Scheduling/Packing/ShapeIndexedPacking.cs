namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// The fast path every scoring policy shares: for each request kind seen, a sorted index of the live node shapes
/// it fits, kept current as nodes change shape. A decision is then the index's minimum (O(log shapes)), and a
/// placement re-scores only the shapes that appear, once per kind — not every node.
/// Ties are broken by shape id (or, with <see cref="TiesToLowestNode"/>, by the shapes' lowest node numbers) and then
/// by the lowest node number, so decisions are deterministic.
/// </summary>
public abstract class ShapeIndexedPacking : IPackingPolicy, IShapeObserver
{
    /// <summary>Beyond this many distinct request kinds, further kinds are scored by scanning the live shapes.</summary>
    public const int MaxIndexedKinds = 1024;

    private readonly Dictionary<PackingRequest, KindIndex> _indices = [];
    private readonly List<KindIndex> _indexList = [];

    protected ShapeIndexedPacking(PackingCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Cluster = cluster;
        cluster.Subscribe(this);
    }

    public abstract string Name { get; }

    protected PackingCluster Cluster { get; }

    /// <summary>The score of a shape for a request it fits (the caller checked the fit).</summary>
    protected abstract ShapeScore Score(NodeShape shape, in PackingRequest request);

    /// <summary>
    /// Shapes to pass over while a less good one fits (a soft rule, e.g. keeping a reserve of idle large nodes);
    /// asked only about the best shape and, when it says yes, about the next ones in order.
    /// </summary>
    protected virtual bool Avoid(NodeShape shape, in PackingRequest request) => false;

    /// <summary>
    /// Among equally good shapes, take the one whose lowest-numbered node is lowest, instead of the shape the cluster
    /// saw first: the choice then depends only on what the nodes hold now, not on how they got there, so a view kept
    /// across many bookings decides as one built afresh from the same nodes.
    /// </summary>
    public bool TiesToLowestNode { get; init; }

    public PackingChoice? Choose(in PackingRequest request)
    {
        Entry? best = null;
        if (!_indices.TryGetValue(request, out var index) && _indexList.Count < MaxIndexedKinds)
        {
            index = new KindIndex(this, request);
            _indices.Add(request, index);
            _indexList.Add(index);
        }

        if (index is not null)
        {
            best = index.Best;
            var avoided = false;
            if (best is { } first && Avoid(Cluster.Shape(first.ShapeId), request))
            {
                avoided = true;
                foreach (var entry in index.InOrder)
                {
                    if (!Avoid(Cluster.Shape(entry.ShapeId), request))
                    {
                        best = entry;
                        avoided = false;
                        break;
                    }
                }
            }

            if (TiesToLowestNode && best is { } top)
            {
                foreach (var tied in index.TiedWith(top))
                {
                    if (LowerNode(tied, best.Value) && (avoided || !Avoid(Cluster.Shape(tied.ShapeId), request)))
                    {
                        best = tied;
                    }
                }
            }
        }
        else
        {
            Entry? fallback = null;
            foreach (var shape in Cluster.LiveShapes)
            {
                if (Evaluate(shape, request) is not { } e)
                {
                    continue;
                }

                if (Avoid(shape, request))
                {
                    fallback = fallback is null || Better(e, fallback.Value) ? e : fallback;
                }
                else if (best is null || Better(e, best.Value))
                {
                    best = e;
                }
            }

            best ??= fallback;
        }

        if (best is not { } chosen)
        {
            return null;
        }

        var node = Cluster.FirstNodeOf(chosen.ShapeId);
        var sharedGpu = chosen.SharedSlot >= 0
            ? Cluster.GpuWithFree(node, Cluster.Shape(chosen.ShapeId).FreeMilli[chosen.SharedSlot])
            : -1;
        return new PackingChoice(node, sharedGpu);
    }

    private bool Better(Entry candidate, Entry best) =>
        TiesToLowestNode && candidate.Primary == best.Primary && candidate.Secondary == best.Secondary
            ? LowerNode(candidate, best)
            : EntryComparer.Instance.Compare(candidate, best) < 0;

    private bool LowerNode(Entry candidate, Entry best) => Cluster.FirstNodeOf(candidate.ShapeId) < Cluster.FirstNodeOf(best.ShapeId);

    void IShapeObserver.ShapeBecameLive(NodeShape shape)
    {
        foreach (var index in _indexList)
        {
            index.Add(shape);
        }
    }

    void IShapeObserver.ShapeBecameEmpty(NodeShape shape)
    {
        foreach (var index in _indexList)
        {
            index.Remove(shape);
        }
    }

    private Entry? Evaluate(NodeShape shape, in PackingRequest request)
    {
        if (!shape.Fits(request))
        {
            return null;
        }

        var score = Score(shape, request);
        return new Entry(score.Primary, score.Secondary, shape.Id, score.SharedSlot);
    }

    private readonly record struct Entry(long Primary, long Secondary, int ShapeId, int SharedSlot);

    private sealed class EntryComparer : IComparer<Entry>
    {
        public static readonly EntryComparer Instance = new();

        public int Compare(Entry x, Entry y)
        {
            var c = x.Primary.CompareTo(y.Primary);
            if (c != 0)
            {
                return c;
            }

            c = x.Secondary.CompareTo(y.Secondary);
            return c != 0 ? c : x.ShapeId.CompareTo(y.ShapeId);
        }
    }

    private sealed class KindIndex
    {
        private readonly ShapeIndexedPacking _owner;
        private readonly PackingRequest _kind;
        private readonly SortedSet<Entry> _sorted = new(EntryComparer.Instance);
        private readonly Dictionary<int, Entry> _byShape = [];

        public KindIndex(ShapeIndexedPacking owner, PackingRequest kind)
        {
            _owner = owner;
            _kind = kind;
            foreach (var shape in owner.Cluster.LiveShapes)
            {
                Add(shape);
            }
        }

        public Entry? Best => _sorted.Count == 0 ? null : _sorted.Min;

        public IEnumerable<Entry> InOrder => _sorted;

        /// <summary>The entries that score the same as <paramref name="entry"/> (itself included).</summary>
        public IEnumerable<Entry> TiedWith(Entry entry) => _sorted.GetViewBetween(
            entry with { ShapeId = int.MinValue }, entry with { ShapeId = int.MaxValue });

        public void Add(NodeShape shape)
        {
            if (_owner.Evaluate(shape, _kind) is { } entry)
            {
                _sorted.Add(entry);
                _byShape[shape.Id] = entry;
            }
        }

        public void Remove(NodeShape shape)
        {
            if (_byShape.Remove(shape.Id, out var entry))
            {
                _sorted.Remove(entry);
            }
        }
    }
}
