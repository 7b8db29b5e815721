using System.Collections.Concurrent;
using Aisto.Domain.Leases;
using Aisto.Domain.Scaling;
using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;

namespace Aisto.Orchestrations.Scaling;

/// <summary>
/// The lease queue as demand: each queued lease with what it asks for, counted in its pinned region, else in the
/// nearest region that has nodes of its GPU model (where placement would look first). A lease's request never
/// changes, so requests are read once and remembered.
/// </summary>
public sealed class QueuedDemandReader(ILeaseStore leases, IRegionDirectory regions)
{
    private const int MaxQueued = 10_000;
    private readonly ConcurrentDictionary<string, LeaseRequest> requests = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<QueuedDemand>> ReadAsync(IReadOnlyList<NodeState> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var queued = await leases.ListQueuedAsync(MaxQueued, cancellationToken);
        var demand = new List<QueuedDemand>(queued.Count);
        foreach (var lease in queued)
        {
            if (await RequestOfAsync(lease.LeaseId, cancellationToken) is not { } request)
            {
                continue;
            }

            var region = request.Region ?? lease.Region ?? NearestRegionWith(request, nodes);
            demand.Add(new QueuedDemand(
                region, request.Pool.ToString().ToLowerInvariant(), request.GpuModel, request.Resources, lease.RequestedAt));
        }

        // Forget leases that left the queue.
        foreach (var gone in requests.Keys.Except(queued.Select(q => q.LeaseId), StringComparer.Ordinal).ToList())
        {
            requests.TryRemove(gone, out _);
        }

        return demand;
    }

    private async Task<LeaseRequest?> RequestOfAsync(string leaseId, CancellationToken cancellationToken)
    {
        if (requests.TryGetValue(leaseId, out var known))
        {
            return known;
        }

        var lease = await leases.FindAsync(leaseId, cancellationToken);
        if (lease is not null)
        {
            requests[leaseId] = lease.Request;
        }

        return lease?.Request;
    }

    private string NearestRegionWith(LeaseRequest request, IReadOnlyList<NodeState> nodes)
    {
        var withModel = regions.Regions
            .Where(r => nodes.Any(n => string.Equals(n.Region, r.Id, StringComparison.OrdinalIgnoreCase) && request.Resources.AllowsModel(n.Model)))
            .Select(r => new RegionSnapshot(r, []))
            .ToList();
        var ordered = RegionPreference.Order(withModel, request.ToPlacement("demand") with { MaxLatencyMs = null });
        return ordered.Count > 0 ? ordered[0].Region.Region.Id : regions.Regions[0].Id;
    }
}
