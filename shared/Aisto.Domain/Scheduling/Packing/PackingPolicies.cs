namespace Aisto.Domain.Scheduling.Packing;

/// <summary>The packing policies by name: aisto (default), fgd, best-fit, dot-product, random-fit.</summary>
public static class PackingPolicies
{
    public const string Default = "aisto";

    public static IReadOnlyList<string> Names { get; } = ["aisto", "fgd", "best-fit", "dot-product", "random-fit"];

    /// <summary>A policy bound to <paramref name="cluster"/>; the profile is used by fgd and aisto, the seed by random-fit.</summary>
    /// <param name="tiesToLowestNode">Equally good nodes go to the lowest-numbered one, whatever the cluster saw before
    /// (<see cref="ShapeIndexedPacking.TiesToLowestNode"/>); random-fit has no ties.</param>
    public static IPackingPolicy Create(string name, PackingCluster cluster, WorkloadProfile profile, int seed, bool tiesToLowestNode = false) =>
        name.ToUpperInvariant() switch
        {
            "AISTO" => new AistoPacking(cluster, profile) { TiesToLowestNode = tiesToLowestNode },
            "FGD" => new FragmentationGradientPacking(cluster, profile) { TiesToLowestNode = tiesToLowestNode },
            "BEST-FIT" => new BestFitPacking(cluster) { TiesToLowestNode = tiesToLowestNode },
            "DOT-PRODUCT" => new DotProductPacking(cluster) { TiesToLowestNode = tiesToLowestNode },
            "RANDOM-FIT" => new RandomFitPacking(cluster, seed),
            _ => throw new ArgumentException($"Unknown placement policy '{name}'. Known: {string.Join(", ", Names)}.", nameof(name)),
        };
}
