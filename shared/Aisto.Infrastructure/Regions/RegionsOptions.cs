namespace Aisto.Infrastructure.Regions;

/// <summary>The regions AISTO runs in and, for simulated regions, their fleets (<c>Aisto:Regions</c>).</summary>
public sealed class RegionsOptions
{
    public const string Section = "Aisto:Regions";

    public List<RegionOptions> Items { get; set; } = [];

    /// <summary>Simulated time from creating a workload to it running.</summary>
    public TimeSpan ProvisioningDelay { get; set; } = TimeSpan.FromSeconds(2);
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

/// <summary>A group of identical GPU nodes.</summary>
public sealed class NodePoolOptions
{
    public string Model { get; set; } = "";
    public int Nodes { get; set; }
    public int GpusPerNode { get; set; } = 8;
    public int CpuCores { get; set; } = 96;
    public int MemoryGiB { get; set; } = 1024;
}
