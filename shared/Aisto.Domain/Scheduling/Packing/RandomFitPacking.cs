namespace Aisto.Domain.Scheduling.Packing;

/// <summary>Random fit: any node the request fits, chosen uniformly with the seeded generator.</summary>
public sealed class RandomFitPacking(PackingCluster cluster, int seed) : IPackingPolicy
{
    private readonly PackingCluster _cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
    private readonly Random _random = new(seed);
    private readonly List<int> _fitting = [];

    public string Name => "random-fit";

    public PackingChoice? Choose(in PackingRequest request)
    {
        _fitting.Clear();
        for (var node = 0; node < _cluster.NodeCount; node++)
        {
            if (_cluster.Fits(node, request))
            {
                _fitting.Add(node);
            }
        }

        if (_fitting.Count == 0)
        {
            return null;
        }

        var chosen = _fitting[_random.Next(_fitting.Count)];
        return new PackingChoice(chosen, request.IsFractional ? _cluster.BestFitGpu(chosen, request.GpuMilli) : -1);
    }
}
