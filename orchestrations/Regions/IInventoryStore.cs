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

    /// <summary>
    /// Every node as this process read it at most <see cref="Leases.LeaseOptions.QueueViewMaxAge"/> ago, with this
    /// process's own writes applied: for what a request shows (queue positions, wait estimates), and as a first guess
    /// for an ETag-guarded write (a stale version only fails its ETag; a booking says "no" only on a fresh read).
    /// </summary>
    Task<IReadOnlyList<NodeVersion>> ViewNodesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Cordons (no new bookings; what runs stays) or uncordons a node if it is still the one read; false when
    /// someone changed it first. Cordoning is how a node is drained before the autoscaler gives it back.
    /// </summary>
    Task<bool> TrySetCordonedAsync(NodeVersion expected, bool cordoned, CancellationToken cancellationToken = default);

    /// <summary>Deletes a node's row if it is still the one read (callers check it holds nothing); false otherwise.</summary>
    Task<bool> TryRemoveAsync(NodeVersion expected, CancellationToken cancellationToken = default);
}

/// <summary>A node as read, with the concurrency token its write must match, and whether it takes new bookings.</summary>
public sealed record NodeVersion(NodeState Node, string ETag, bool Cordoned = false);
