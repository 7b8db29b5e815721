namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// Node fragmentation measured against a target workload, after "Beware of Fragmentation" (Weng et al.,
/// USENIX ATC '23): for one request kind, the free GPU capacity of a node that the kind cannot use — all of it
/// when the kind does not fit the node at all (model, CPU, memory, too few GPUs, or no GPU wanted), otherwise
/// the GPUs too empty-handed to hold it (for a share: GPUs with less free than the share; for whole GPUs: the
/// partly used GPUs). A node's fragmentation is the weighted sum over the profile's kinds, in thousandths of a
/// GPU × weight. With <c>fillLookahead</c> (AISTO's measure) each kind also adds what would stay free after
/// copies of it filled the node (<see cref="UnusableAfterFill"/>). Results are cached per shape.
/// </summary>
public sealed class FragmentationMeasure(WorkloadProfile profile, bool fillLookahead = false)
{
    private readonly (PackingRequest Request, long Weight)[] _kinds = [.. profile.Kinds];
    private long[] _cache = [];

    public WorkloadProfile Profile { get; } = profile;

    /// <summary>The free GPU thousandths of <paramref name="shape"/> that <paramref name="kind"/> cannot use.</summary>
    public static int Of(NodeShape shape, in PackingRequest kind)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (kind.GpuCount == 0 || !shape.Fits(kind))
        {
            return shape.TotalFreeMilli;
        }

        if (!kind.IsFractional)
        {
            return shape.TotalFreeMilli - (shape.FullFreeGpus * GpuDemand.MilliPerGpu);
        }

        var stranded = 0;
        foreach (var f in shape.FreeMilli)
        {
            if (f < kind.GpuMilli)
            {
                stranded += f;
            }
        }

        return stranded;
    }

    /// <summary>
    /// AISTO's lookahead variant: the free GPU thousandths that would still be free if copies of
    /// <paramref name="kind"/> kept arriving until no more fit — so a node whose CPU or memory runs out before its
    /// GPUs do counts those GPUs as fragments now, not only when the last copy no longer fits.
    /// </summary>
    public static int UnusableAfterFill(NodeShape shape, in PackingRequest kind)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (kind.GpuCount == 0 || !shape.Fits(kind))
        {
            return shape.TotalFreeMilli;
        }

        int gpuCopies;
        if (kind.IsFractional)
        {
            gpuCopies = 0;
            foreach (var f in shape.FreeMilli)
            {
                gpuCopies += f / kind.GpuMilli;
            }
        }
        else
        {
            gpuCopies = shape.FullFreeGpus / kind.GpuCount;
        }

        var copies = gpuCopies;
        if (kind.CpuMilli > 0)
        {
            copies = Math.Min(copies, shape.CpuFreeMilli / kind.CpuMilli);
        }

        if (kind.MemoryMiB > 0)
        {
            copies = (int)Math.Min(copies, shape.MemoryFreeMiB / kind.MemoryMiB);
        }

        return shape.TotalFreeMilli - (copies * kind.TotalGpuMilli);
    }

    /// <summary>The shape's fragmentation against the whole profile (cached by shape id).</summary>
    public long Of(NodeShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Id >= _cache.Length)
        {
            var grown = new long[Math.Max(shape.Id + 1, _cache.Length * 2)];
            Array.Fill(grown, -1);
            _cache.CopyTo(grown, 0);
            _cache = grown;
        }

        var cached = _cache[shape.Id];
        if (cached >= 0)
        {
            return cached;
        }

        long sum = 0;
        foreach (var (kind, weight) in _kinds)
        {
            var fragment = Of(shape, kind);
            if (fillLookahead)
            {
                fragment += UnusableAfterFill(shape, kind);
            }

            sum += weight * fragment;
        }

        _cache[shape.Id] = sum;
        return sum;
    }
}
