using Aisto.Domain.Leases;
using Aisto.Domain.Regions;

namespace Aisto.Orchestrations.Regions;

/// <summary>One region's cluster as the workflows see it: run, watch and remove workloads; list its nodes.</summary>
public interface IRegion
{
    RegionInfo Info { get; }

    /// <summary>
    /// Starts the workload for a lease on a node and returns its phase right after (what
    /// <see cref="GetWorkloadStateAsync"/> would say then); calling again for the same lease starts nothing new.
    /// </summary>
    Task<WorkloadState> ProvisionAsync(WorkloadSpec spec, CancellationToken cancellationToken = default);

    Task<WorkloadState> GetWorkloadStateAsync(string leaseId, CancellationToken cancellationToken = default);

    /// <summary>Removes the workload; a workload that is not there is already torn down.</summary>
    Task TeardownAsync(string leaseId, CancellationToken cancellationToken = default);

    /// <summary>The nodes the cluster has now (capacity only; bookings are in <see cref="IInventoryStore"/>).</summary>
    Task<IReadOnlyList<RegionNode>> ListNodesAsync(CancellationToken cancellationToken = default);

    /// <summary>The region's node pools: one per GPU model, nodes ready now and nodes asked for.</summary>
    Task<IReadOnlyList<NodePoolStatus>> ListNodePoolsAsync(CancellationToken cancellationToken = default);

    /// <summary>Asks a pool for <paramref name="request"/>.DesiredNodes nodes; removing only the named idle nodes on scale-in. Idempotent.</summary>
    Task ScaleNodePoolAsync(NodePoolScaleRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What to run for a lease and where.</summary>
public sealed record WorkloadSpec(
    string LeaseId,
    string TenantId,
    string Pool,
    string NodeId,
    string GpuModel,
    IReadOnlyList<int> GpuIndices,
    int MilliPerGpu,
    Workload? Workload);

/// <summary>A workload's phase in its cluster.</summary>
public enum WorkloadPhase
{
    NotFound,
    Pending,
    Running,
    Failed,
}

/// <summary>A workload's phase and, when it failed, why.</summary>
public sealed record WorkloadState(WorkloadPhase Phase, string? Reason = null);

/// <summary>A node the cluster reports: GPU model and capacity.</summary>
public sealed record RegionNode(string NodeId, string GpuModel, int Gpus, int CpuMilli, long MemoryMiB);

/// <summary>A node pool of one GPU model: nodes ready now, nodes asked for, and its bounds.</summary>
public sealed record NodePoolStatus(string PoolId, string GpuModel, int GpusPerNode, int ReadyNodes, int DesiredNodes, int MinNodes, int MaxNodes);

/// <summary>A scale request: the pool, how many nodes it should have, and which idle nodes to remove when it shrinks.</summary>
public sealed record NodePoolScaleRequest(string PoolId, int DesiredNodes, IReadOnlyList<string> NodesToRemove);
