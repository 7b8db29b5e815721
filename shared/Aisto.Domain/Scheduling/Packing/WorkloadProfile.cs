using System.Collections.Immutable;

namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// The target workload a cluster is packed for: distinct request kinds and how often each arrives (integer
/// weights, so fragmentation sums are exact and ties are real ties).
/// </summary>
public sealed class WorkloadProfile
{
    private WorkloadProfile(ImmutableArray<(PackingRequest Request, long Weight)> kinds)
    {
        Kinds = kinds;
        TotalWeight = kinds.Sum(k => k.Weight);
    }

    public ImmutableArray<(PackingRequest Request, long Weight)> Kinds { get; }

    public long TotalWeight { get; }

    /// <summary>The profile of a sample of requests: each distinct request weighted by how often it occurs.</summary>
    public static WorkloadProfile FromSample(IEnumerable<PackingRequest> sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var counts = new Dictionary<PackingRequest, long>();
        var order = new List<PackingRequest>();
        foreach (var r in sample)
        {
            if (counts.TryGetValue(r, out var c))
            {
                counts[r] = c + 1;
            }
            else
            {
                counts.Add(r, 1);
                order.Add(r);
            }
        }

        return new WorkloadProfile([.. order.Select(r => (r, counts[r]))]);
    }

    /// <summary>A profile from explicit kinds and weights.</summary>
    public static WorkloadProfile Of(IEnumerable<(PackingRequest Request, long Weight)> kinds) =>
        new([.. kinds.Where(k => k.Weight > 0)]);
}
