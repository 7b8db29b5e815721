using Aisto.Domain.Scheduling;

namespace Aisto.Orchestrations.Regions;

/// <summary>
/// The booking sheet of every region: one row per node with what is allocated on it. Changes are
/// optimistic-concurrency guarded, so no GPU is ever booked twice.
/// </summary>
public interface IInventoryStore
{
    Task<IReadOnlyList<RegionSnapshot>> SnapshotAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a node if it is not there yet; existing nodes and their allocations are kept.</summary>
    Task EnsureNodeAsync(NodeState node, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces <paramref name="expected"/> with <paramref name="updated"/> if the stored node is still the one that
    /// was read; returns false when someone else changed it first.
    /// </summary>
    Task<bool> TryReplaceAsync(NodeVersion expected, NodeState updated, CancellationToken cancellationToken = default);

    /// <summary>Reads one node with its version.</summary>
    Task<NodeVersion?> GetNodeAsync(string region, string nodeId, CancellationToken cancellationToken = default);

    /// <summary>Every node with its version, per region, for a consistent read-modify-write.</summary>
    Task<IReadOnlyList<NodeVersion>> ListNodesAsync(CancellationToken cancellationToken = default);
}

/// <summary>A node as read, with the concurrency token its write must match.</summary>
public sealed record NodeVersion(NodeState Node, string ETag);
