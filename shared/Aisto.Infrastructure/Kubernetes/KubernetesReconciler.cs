using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Kubernetes;

/// <summary>
/// Brings each Kubernetes region in line with the lease store and the booking sheet:
/// 1. Jobs labelled with a lease id whose lease is unknown, ended, or placed elsewhere are orphans: deleted.
/// 2. Active leases booked in the region whose Job vanished are re-provisioned (same node, same GPUs).
/// 3. Nodes the cluster has and the sheet lacks are added; GPUs held by pods AISTO did not start are booked
///    (holder <c>k8s:namespace/pod</c>, pool <c>external</c>) and given back when those pods end.
/// Every correction is logged and counted (meter <c>Aisto.Kubernetes</c>, <c>aisto.kubernetes.reconcile.corrections</c>).
/// </summary>
public sealed class KubernetesReconciler(
    IRegionDirectory regions,
    ILeaseStore leases,
    IInventoryStore inventory,
    TimeProvider clock,
    ILogger<KubernetesReconciler> logger)
{
    public const string ExternalHolderPrefix = "k8s:";
    public const string ExternalPool = "external";

    /// <summary>A lease active for less than this may still be between its Job's creation and the cluster's list.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<KubernetesReconcileReport>> ReconcileAllAsync(CancellationToken cancellationToken = default)
    {
        var reports = new List<KubernetesReconcileReport>();
        foreach (var region in regions.Regions.Select(r => regions.Get(r.Id)).OfType<KubernetesRegion>())
        {
            try
            {
                reports.Add(await ReconcileAsync(region, cancellationToken));
            }
            catch (KubernetesRegionException e)
            {
                // One cluster failing does not stop the others; the next run tries again.
                logger.LogWarning("Kubernetes region {Region}: reconciliation stopped: {Error}", region.Info.Id, e.Message);
                reports.Add(new KubernetesReconcileReport(region.Info.Id, Skipped: e.Message));
            }
        }

        return reports;
    }

    public async Task<KubernetesReconcileReport> ReconcileAsync(KubernetesRegion region, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(region);
        var id = region.Info.Id;
        if (!region.IsUp)
        {
            return new KubernetesReconcileReport(id, Skipped: $"down: {region.DownReason}");
        }

        var report = new KubernetesReconcileReport(id);

        // 1. Orphans: Jobs whose lease does not want them.
        var jobs = await region.ListLeaseJobsAsync(cancellationToken);
        var running = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            var leaseId = job.Metadata.Labels?[KubernetesLabels.LeaseId] ?? "";
            running.Add(leaseId);
            if (job.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            var lease = await leases.FindAsync(leaseId, cancellationToken);
            var why = lease is null ? "no such lease"
                : lease.Status.IsTerminal() ? $"lease is {lease.Status}"
                : lease.Placement is { } placed && !string.Equals(placed.Region, id, StringComparison.OrdinalIgnoreCase)
                    ? $"lease is placed in {placed.Region}" : null;
            if (why is null)
            {
                continue;
            }

            await region.DeleteJobAsync(job.Metadata.NamespaceProperty, job.Metadata.Name, cancellationToken);
            Correct(report.OrphansDeleted, id, "orphan-deleted", leaseId, $"deleted orphan Job {job.Metadata.NamespaceProperty}/{job.Metadata.Name}: {why}");
        }

        // 2. Vanished workloads: active leases booked here without a Job.
        var now = clock.GetUtcNow();
        var rows = (await inventory.ListNodesAsync(cancellationToken)).Where(n => string.Equals(n.Node.Region, id, StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var node in rows.Select(r => r.Node))
        {
            foreach (var allocation in node.Allocations.Values.Where(a => !a.HolderId.StartsWith(ExternalHolderPrefix, StringComparison.Ordinal)))
            {
                if (running.Contains(allocation.HolderId))
                {
                    continue;
                }

                var lease = await leases.FindAsync(allocation.HolderId, cancellationToken);
                if (lease is not { Status: LeaseStatus.Active, ActiveAt: { } activeAt } || now - activeAt < Grace)
                {
                    continue;
                }

                await region.ProvisionAsync(new WorkloadSpec(
                    lease.LeaseId, lease.TenantId, allocation.Pool, node.NodeId, node.Model,
                    [.. allocation.GpuIndices], allocation.MilliPerGpu, lease.Request.Workload), cancellationToken);
                Correct(report.Reprovisioned, id, "workload-reprovisioned", lease.LeaseId, $"re-provisioned the vanished workload of active lease on {node.NodeId}");
            }
        }

        // 3. Inventory: nodes the sheet lacks, GPUs held by pods AISTO did not start.
        var known = rows.Select(r => r.Node.NodeId).ToHashSet(StringComparer.Ordinal);
        foreach (var node in await region.ListNodesAsync(cancellationToken))
        {
            if (known.Add(node.NodeId))
            {
                await inventory.EnsureNodeAsync(new NodeState(node.NodeId, id, node.GpuModel, node.Gpus, node.CpuMilli, node.MemoryMiB), cancellationToken);
                Correct(report.NodesAdded, id, "node-added", node.NodeId, $"added node {node.NodeId} ({node.Gpus}x {node.GpuModel}) to the booking sheet");
            }
        }

        var external = (await region.ListExternalGpuPodsAsync(cancellationToken)).ToLookup(p => p.NodeName, StringComparer.Ordinal);
        foreach (var nodeId in known)
        {
            await SyncExternalAsync(report, id, nodeId, [.. external[nodeId]], cancellationToken);
        }

        return report;
    }

    private async Task SyncExternalAsync(
        KubernetesReconcileReport report, string region, string nodeId, IReadOnlyList<ExternalGpuPod> pods, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            if (await inventory.GetNodeAsync(region, nodeId, cancellationToken) is not { } current)
            {
                return;
            }

            var wanted = pods.ToDictionary(p => ExternalHolderPrefix + p.PodKey, StringComparer.Ordinal);
            var node = current.Node;
            var changes = new List<(string Kind, string Holder, string Message)>();
            foreach (var holder in node.Allocations.Keys.Where(h => h.StartsWith(ExternalHolderPrefix, StringComparison.Ordinal) && !wanted.ContainsKey(h)).ToList())
            {
                node = node.Release(holder);
                changes.Add(("external-released", holder, $"gave back the GPUs of ended pod {holder[ExternalHolderPrefix.Length..]} on {nodeId}"));
            }

            foreach (var (holder, pod) in wanted.Where(w => !node.Allocations.ContainsKey(w.Key)))
            {
                var gpu = pod.GpuMilli % 1000 == 0 ? GpuDemand.Whole(pod.GpuMilli / 1000)
                    : pod.GpuMilli < 1000 ? GpuDemand.Fraction(pod.GpuMilli)
                    : GpuDemand.Whole((pod.GpuMilli + 999) / 1000);
                if (node.TryAllocate(holder, new ResourceRequest([], gpu, 0, 0), ExternalPool) is { } booked)
                {
                    node = booked.Node;
                    changes.Add(("external-booked", holder, $"booked {gpu} on {nodeId} held by pod {pod.PodKey} that AISTO did not start"));
                }
                else
                {
                    changes.Add(("external-conflict", holder, $"pod {pod.PodKey} holds {gpu} on {nodeId} that the booking sheet has given to leases"));
                }
            }

            if (changes.All(c => c.Kind == "external-conflict"))
            {
                foreach (var (kind, holder, message) in changes)
                {
                    Correct(report.ExternalConflicts, region, kind, holder, message);
                }

                return;
            }

            if (await inventory.TryReplaceAsync(current, node, cancellationToken))
            {
                foreach (var (kind, holder, message) in changes)
                {
                    Correct(kind == "external-conflict" ? report.ExternalConflicts : report.ExternalBookings, region, kind, holder, message);
                }

                return;
            }
        }
    }

    private void Correct(List<string> list, string region, string kind, string subject, string message)
    {
        list.Add(subject);
        KubernetesMetrics.Corrections.Add(1, new KeyValuePair<string, object?>("region", region), new KeyValuePair<string, object?>("kind", kind));
        logger.LogWarning("Kubernetes region {Region} reconciliation ({Kind}) {Subject}: {Message}", region, kind, subject, message);
    }
}

/// <summary>What one reconciliation of one region changed (or why it was skipped).</summary>
public sealed record KubernetesReconcileReport(string Region, string? Skipped = null)
{
    public List<string> OrphansDeleted { get; } = [];
    public List<string> Reprovisioned { get; } = [];
    public List<string> NodesAdded { get; } = [];
    public List<string> ExternalBookings { get; } = [];
    public List<string> ExternalConflicts { get; } = [];

    public int Corrections => OrphansDeleted.Count + Reprovisioned.Count + NodesAdded.Count + ExternalBookings.Count;
}
