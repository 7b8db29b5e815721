using System.Collections.Immutable;
using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Infrastructure.Kubernetes;
using Aisto.Infrastructure.Leases;
using Aisto.Infrastructure.Regions;
using Aisto.Infrastructure.Runtime;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Aisto.Kubernetes.Tests;

/// <summary>
/// A platform slice on real parts: the in-test API server as region us-east (configured by inline kubeconfig, as in
/// settings), a simulated region singapore, and the real Azure Tables lease store and booking sheet on Azurite
/// (tables under a prefix unique to the test).
/// </summary>
public sealed class RegionWorld : IAsyncDisposable
{
    private RegionWorld(FakeKubernetesApi api, ConfiguredRegionDirectory directory, AistoTables tables)
    {
        Api = api;
        Directory = directory;
        Leases = new TableLeaseStore(tables);
        Inventory = new TableInventoryStore(tables, directory);
        Reconciler = new KubernetesReconciler(directory, Leases, Inventory, TimeProvider.System, NullLogger<KubernetesReconciler>.Instance);
    }

    public FakeKubernetesApi Api { get; }
    public ConfiguredRegionDirectory Directory { get; }
    public ILeaseStore Leases { get; }
    public IInventoryStore Inventory { get; }
    public KubernetesReconciler Reconciler { get; }
    public KubernetesRegion UsEast => (KubernetesRegion)Directory.Get("us-east");

    public static async Task<RegionWorld> StartAsync()
    {
        await StorageEmulator.EnsureAsync();
        var api = await FakeKubernetesApi.StartAsync();
        var regions = new RegionsOptions
        {
            ProvisioningDelay = TimeSpan.Zero,
            Items =
            [
                new RegionOptions
                {
                    Id = "us-east", DisplayName = "United States (Virginia)", Lat = 39.04, Lon = -77.49,
                    Kubernetes = new KubernetesClusterOptions { Kubeconfig = api.Kubeconfig("aisto-us-east"), Context = "aisto-us-east", ClusterApiNamespace = "capi" },
                },
                new RegionOptions
                {
                    Id = "singapore", DisplayName = "Singapore", Lat = 1.29, Lon = 103.85,
                    NodePools = [new NodePoolOptions { Model = "H100", Nodes = 1, GpusPerNode = 8 }],
                },
            ],
        };
        var tables = new AistoTables(Options.Create(new StorageOptions { TablePrefix = "k8s" + Guid.NewGuid().ToString("N")[..10] }));
        var directory = new ConfiguredRegionDirectory(
            Options.Create(regions), tables, new SimulatedRegionFaults(), TimeProvider.System, Options.Create(ClusterBuilder.Options()), NullLoggerFactory.Instance);
        return new RegionWorld(api, directory, tables);
    }

    /// <summary>Stores a lease as the lifecycle would have left it.</summary>
    public async Task<LeaseRecord> LeaseAsync(string leaseId, LeaseStatus status, string region = "us-east", DateTimeOffset? activeAt = null)
    {
        var request = new LeaseRequest("H100", GpuDemand.Whole(2), 16, 128, 6m, LeaseClass.OnDemand, LeasePool.Leasing, LeasePurpose.Training,
            null, null, null, PreemptionAction.End, new Workload("ghcr.io/org/train:1.2", ["python", "train.py"], new Dictionary<string, string> { ["EPOCHS"] = "3" }));
        var lease = new LeaseRecord(leaseId, "tenant-a", status, request, "fp", new LeasePlacement(region, $"{region}-gpu", ["gpu-h100-01"]),
            DateTimeOffset.UtcNow.AddHours(-2), activeAt ?? DateTimeOffset.UtcNow.AddHours(-1), null, null, 2.99m, 0m, null);
        Assert.True(await Leases.TryCreateAsync(lease));
        return lease;
    }

    /// <summary>Books <paramref name="gpus"/> whole GPUs on a node row for a lease, as ReserveCapacityActivity would.</summary>
    public async Task BookAsync(string nodeId, string leaseId, int gpus)
    {
        await Inventory.EnsureNodeAsync(new NodeState(nodeId, "us-east", "H100", 8, 95_500, 1_032_192));
        var row = (await Inventory.GetNodeAsync("us-east", nodeId))!;
        var booked = row.Node.TryAllocate(leaseId, ResourceRequest.For("H100", GpuDemand.Whole(gpus), 16, 128), "leasing")!.Value;
        Assert.True(await Inventory.TryReplaceAsync(row, booked.Node));
    }

    public async Task<ImmutableDictionary<string, NodeAllocation>> AllocationsOnAsync(string nodeId) =>
        (await Inventory.GetNodeAsync("us-east", nodeId))!.Node.Allocations;

    public async ValueTask DisposeAsync()
    {
        await Directory.DisposeAsync();
        await Api.DisposeAsync();
    }
}

/// <summary>Starts Azurite once for the test run when nothing listens on its ports yet.</summary>
public static class StorageEmulator
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static ChildProcess? started;

    public static async Task EnsureAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (started is null || started.HasExited)
            {
                var root = RepositoryRoot.Find() ?? throw new InvalidOperationException("Run the tests from the repository.");
                started = await LocalStorageEmulator.EnsureRunningAsync(
                    "UseDevelopmentStorage=true", root, NullLogger.Instance, persistent: false);
                if (started is not null)
                {
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => started.DisposeAsync().AsTask().Wait();
                }
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}
