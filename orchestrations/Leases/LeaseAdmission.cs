using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;
using Aisto.Orchestrations.Regions;

namespace Aisto.Orchestrations.Leases;

/// <summary>The lease queue as the admission walk needs it (who holds what it reads from the bookings' terms).</summary>
public sealed record AdmissionQueue(IReadOnlyList<QueuedLease> Queued)
{
    /// <summary>Whether any lease other than <paramref name="leaseId"/> is queued (else the walk has nothing to order).</summary>
    public bool HasOthersThan(string leaseId) => Queued.Any(q => q.LeaseId != leaseId);
}

/// <summary>One admission walk and what it read: a queued lease's position and estimated wait both come from it.</summary>
/// <param name="ComputedAt">When the walk ran (a view is shared by requests for a short while, see
/// <see cref="LeaseOptions.QueuePositionMaxAge"/>).</param>
public sealed record QueueView(QueueAdmissionResult Walk, AdmissionQueue Queue, IReadOnlyList<NodeVersion> Nodes, DateTimeOffset ComputedAt = default)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TimeSpan?> waits = new(StringComparer.Ordinal);

    /// <summary>A queued lease's estimated wait on this view, if one was already worked out (once per view and lease).</summary>
    public bool TryGetWait(string leaseId, out TimeSpan? wait) => waits.TryGetValue(leaseId, out wait);

    /// <summary>Remembers a queued lease's estimated wait on this view and returns it.</summary>
    public TimeSpan? RememberWait(string leaseId, TimeSpan? wait) => waits.GetOrAdd(leaseId, wait);
}

/// <summary>
/// The runtime's queue discipline (<see cref="QueueAdmission"/>) over the stored queue: booking admits a queued lease
/// only if the walk over the current queue admits it, freed capacity wakes the leases the walk admits, and a queued
/// lease's position is its place in the walk's order. Reads only; the ETag-guarded booking stays the only writer.
/// </summary>
public sealed class LeaseAdmission(
    ILeaseStore leases,
    IInventoryStore inventory,
    IRegionDirectory regions,
    IPlacementPolicy placement,
    PoolQuotas quotas,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<LeaseOptions>? options = null)
{
    private const int MaxQueued = 10_000;
    private const int MaxWake = 20;

    private readonly TimeSpan positionMaxAge = options?.Value.QueuePositionMaxAge ?? new LeaseOptions().QueuePositionMaxAge;
    private readonly object walkGate = new();
    private QueueView? latest;
    private Task<QueueView>? walkUnderWay;
    private DateTimeOffset walkStartedAt;
    private Task<QueueView>? walkNext;

    /// <summary>The queue.</summary>
    public async Task<AdmissionQueue> ReadQueueAsync(CancellationToken cancellationToken) =>
        new(await leases.ListQueuedAsync(MaxQueued, cancellationToken));

    /// <summary>
    /// One walk on <paramref name="nodes"/>; with <paramref name="decide"/> it stops once that lease is decided, and
    /// a lease missing from the stored queue (its row not written yet) joins it as requested now.
    /// </summary>
    public QueueAdmissionResult Run(
        IReadOnlyList<NodeVersion> nodes, AdmissionQueue queue, string? decide = null, LeaseRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(queue);
        var asOf = clock.GetUtcNow();
        var waiting = queue.Queued.Select(ToRequest).ToList();
        if (decide is not null && request is not null && !waiting.Any(w => w.Id == decide))
        {
            waiting.Add(new QueuedLeaseRequest(decide, string.Empty, request, asOf));
        }

        // Fair share: what each tenant holds, from the tenant each lease booking records.
        var tenantHeld = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var a in nodes.SelectMany(n => n.Node.Allocations.Values))
        {
            if (a.Terms?.TenantId is { } tenant)
            {
                tenantHeld[tenant] = tenantHeld.GetValueOrDefault(tenant) + a.TotalGpuMilli;
            }
        }

        return QueueAdmission.Run(
            InventorySnapshots.ToRegions(nodes, regions.Regions, regions.IsUp), waiting, tenantHeld, placement, quotas, asOf, decide: decide);
    }

    /// <summary>The whole walk on the queue and inventory as they are now (never a shared earlier walk: waking needs now).</summary>
    public async Task<(QueueAdmissionResult Result, AdmissionQueue Queue)> RunAsync(CancellationToken cancellationToken)
    {
        var view = await WalkAsync(cancellationToken);
        return (view.Walk, view.Queue);
    }

    /// <summary>
    /// The walk a queued lease's position and wait are read from. Requests share one walk for up to
    /// <see cref="LeaseOptions.QueuePositionMaxAge"/> if <paramref name="leaseId"/> is in it, so a long queue under
    /// many requests is walked a few times a second, not once per request. A lease the shared walk does not know yet
    /// (just created) needs a walk that starts after it arrived: it joins the walk under way if that one started
    /// later, else the next walk, which starts when the one under way ends and serves every request that arrived
    /// meanwhile. So one walk runs at a time, and a burst of new leases costs two walks, not one each.
    /// </summary>
    public Task<QueueView> ViewAsync(string leaseId, CancellationToken cancellationToken)
    {
        if (Shared(leaseId) is { } shared)
        {
            return Task.FromResult(shared);
        }

        var arrivedAt = clock.GetUtcNow();
        Task<QueueView> walk;
        lock (walkGate)
        {
            if (walkUnderWay is not { IsCompleted: false })
            {
                walkStartedAt = arrivedAt;
                walk = walkUnderWay = WalkAsync(CancellationToken.None);
            }
            else if (walkStartedAt >= arrivedAt)
            {
                walk = walkUnderWay;
            }
            else
            {
                walk = walkNext ??= WalkAfterAsync(walkUnderWay);
            }
        }

        // The walk is shared: one caller giving up does not stop it for the others.
        return walk.WaitAsync(cancellationToken);
    }

    private async Task<QueueView> WalkAfterAsync(Task previous)
    {
        // Off the caller's thread, so the caller has stored this task as the next walk before it becomes the one under way.
        await Task.Yield();
        try
        {
            await previous;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Its own callers saw that failure; this walk reads afresh.
        }

        lock (walkGate)
        {
            walkUnderWay = walkNext;
            walkNext = null;
            walkStartedAt = clock.GetUtcNow();
        }

        return await WalkAsync(CancellationToken.None);
    }

    private QueueView? Shared(string leaseId) =>
        Volatile.Read(ref latest) is { } view && clock.GetUtcNow() - view.ComputedAt < positionMaxAge && view.Walk.PositionOf(leaseId) is not null
            ? view
            : null;

    private async Task<QueueView> WalkAsync(CancellationToken cancellationToken)
    {
        var startedAt = clock.GetUtcNow();
        var queue = ReadQueueAsync(cancellationToken);
        var nodes = await inventory.ViewNodesAsync(cancellationToken);
        var view = new QueueView(Run(nodes, await queue), await queue, nodes, startedAt);
        if (latest is null || latest.ComputedAt <= startedAt)
        {
            Volatile.Write(ref latest, view);
        }

        return view;
    }

    /// <summary>
    /// The waiting leases a walk admits, other than <paramref name="self"/>: they are woken so they book now instead
    /// of at their next retry. Leases still on their way to a first try are not disturbed.
    /// </summary>
    public static IReadOnlyList<string> ToWake(QueueAdmissionResult result, AdmissionQueue queue, string self)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(queue);
        var waiting = queue.Queued.Where(q => q.Waiting).Select(q => q.LeaseId).ToHashSet(StringComparer.Ordinal);
        return [.. result.Admitted.Select(a => a.Id).Where(id => id != self && waiting.Contains(id)).Take(MaxWake)];
    }

    private static QueuedLeaseRequest ToRequest(QueuedLease q) => new(
        q.LeaseId,
        q.TenantId,
        q.Request ?? new LeaseRequest(
            q.GpuModel,
            q.GpuMilli >= GpuDemand.MilliPerGpu ? GpuDemand.Whole(q.GpuMilli / GpuDemand.MilliPerGpu) : GpuDemand.Fraction(q.GpuMilli),
            1, 1, (decimal)q.DurationHours, LeaseClass.OnDemand, LeasePool.Leasing, LeasePurpose.Training, q.Region, null, null,
            PreemptionAction.End, null),
        q.RequestedAt);
}
