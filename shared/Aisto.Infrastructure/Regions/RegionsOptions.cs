namespace Aisto.Infrastructure.Regions;

/// <summary>The regions AISTO runs in and, for simulated regions, their fleets (<c>Aisto:Regions</c>).</summary>
public sealed class RegionsOptions
{
    public const string Section = "Aisto:Regions";

    public List<RegionOptions> Items { get; set; } = [];

    /// <summary>Simulated time from creating a workload to it running.</summary>
    public TimeSpan ProvisioningDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Simulated time from asking a node pool for a node to the node being ready (and in the inventory).</summary>
    public TimeSpan NodeProvisioningDelay { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>One region: identity, location, price level, (simulated) node pools or its Kubernetes cluster.</summary>
public sealed class RegionOptions
{
    public string Id { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public double Lat { get; set; }
    public double Lon { get; set; }
    public decimal PriceMultiplier { get; set; } = 1m;
    public List<NodePoolOptions> NodePools { get; set; } = [];

    /// <summary>The region's cluster; when it names a kubeconfig the region is driven through Kubernetes, else simulated.</summary>
    public Kubernetes.KubernetesClusterOptions Kubernetes { get; set; } = new();
}

/// <summary>A group of identical GPU nodes: how many a simulated region starts with, and the autoscaler's bounds.</summary>
public sealed class NodePoolOptions
{
    public string Model { get; set; } = "";
    public int Nodes { get; set; }

    /// <summary>Fewest nodes the autoscaler keeps; default the starting size (a fresh fleet is never shrunk).</summary>
    public int? MinNodes { get; set; }

    /// <summary>Most nodes the pool grows to; default twice the starting size (at least one node).</summary>
    public int? MaxNodes { get; set; }

    /// <summary><see cref="MinNodes"/> with its default applied.</summary>
    public int MinNodesOrDefault() => Math.Max(0, MinNodes ?? Nodes);

    /// <summary><see cref="MaxNodes"/> with its default applied (never below the minimum).</summary>
    public int MaxNodesOrDefault() => Math.Max(MinNodesOrDefault(), MaxNodes ?? Math.Max(1, 2 * Nodes));

    public int GpusPerNode { get; set; } = 8;
    public int CpuCores { get; set; } = 96;
    public int MemoryGiB { get; set; } = 1024;
}

