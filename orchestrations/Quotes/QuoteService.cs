using Aisto.Domain.Leases;
using Aisto.Domain.Pricing;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Quoting;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Aisto.Orchestrations.Results;

namespace Aisto.Orchestrations.Quotes;

/// <summary>
/// Quotes (<c>POST /api/quotes</c>) and the estimated wait of queued leases, both read from one capacity outlook:
/// the booking sheet, the lease queue and the running leases' expiries. Reads only; nothing is booked.
/// </summary>
public sealed class QuoteService(
    IInventoryStore inventory,
    ILeaseStore leases,
    IRegionDirectory regions,
    PriceBook prices,
    LeaseAdmission admission,
    TimeProvider clock)
{
    /// <summary>How long a holder with no known end (a DePIN task, a booking made without terms) is assumed to hold.</summary>
    public static readonly TimeSpan UnknownHolderEnd = TimeSpan.FromHours(1);

    private const int MaxLeasesRead = 10_000;

    public async Task<CommandResult<IReadOnlyList<QuoteOption>>> QuoteAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // 1. Rules that need configuration: the model and a pinned region must exist.
        if (!prices.Knows(request.GpuModel))
        {
            return Invalid("gpuModel", $"Unknown GPU model '{request.GpuModel}'.");
        }

        if (request.Region is { } pinned && !regions.Regions.Any(r => string.Equals(r.Id, pinned, StringComparison.OrdinalIgnoreCase)))
        {
            return Invalid("region", $"Unknown region '{pinned}'. Known: {string.Join(", ", regions.Regions.Select(r => r.Id))}.");
        }

        // 2. One outlook, priced and estimated per region.
        var outlook = await ReadOutlookAsync(cancellationToken);
        var options = QuoteEngine.Quote(outlook, request, prices);
        if (options.Count > 0)
        {
            return CommandResult<IReadOnlyList<QuoteOption>>.Ok(options);
        }

        // 3. No option: say which field rules every region out.
        var withModel = outlook.Regions.Where(r => r.Nodes.Any(n => request.Resources.AllowsModel(n.Model))).ToList();
        if (request.Region is { } region && !withModel.Any(r => string.Equals(r.Region.Id, region, StringComparison.OrdinalIgnoreCase)))
        {
            return Invalid("region", $"Region '{region}' has no {request.GpuModel} GPUs.");
        }

        if (withModel.Count == 0)
        {
            return Invalid("gpuModel", $"No region has {request.GpuModel} GPUs.");
        }

        var inBudget = RegionPreference.Order(withModel, request.ToPlacement("quote"));
        return inBudget.Count == 0
            ? Invalid("maxLatencyMs", $"No region with {request.GpuModel} GPUs is within {request.MaxLatencyMs} ms of clientLocation.")
            : Invalid("gpuCount", $"No {request.GpuModel} node can hold {request.Gpu} with {request.CpuCores} cores and {request.MemoryGiB} GiB.");
    }

    /// <summary>Estimated wait of a queued lease; null when it is not queued or no allowed region can ever hold it.</summary>
    /// <param name="view">The admission walk already run for this lease (its position), if any: read once, used twice.</param>
    public async Task<TimeSpan?> QueuedWaitAsync(LeaseRecord lease, CancellationToken cancellationToken, QueueView? view = null)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.Status != LeaseStatus.Queued)
        {
            return null;
        }

        // The leases ahead are those ahead in the admission walk's order (the order booking follows).
        view ??= await admission.ViewAsync(lease.LeaseId, cancellationToken);
        return view.TryGetWait(lease.LeaseId, out var known)
            ? known
            : view.RememberWait(lease.LeaseId, Estimate(lease, view));
    }

    private TimeSpan? Estimate(LeaseRecord lease, QueueView view)
    {
        var outlook = ReadOutlook(InventorySnapshots.ToRegions(view.Nodes, regions.Regions, regions.IsUp), view.Queue.Queued);
        var walk = view.Walk;
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < walk.Order.Count; i++)
        {
            rank.TryAdd(walk.Order[i], i);
        }

        outlook = outlook with { Queue = [.. outlook.Queue.OrderBy(q => rank.GetValueOrDefault(q.Id, int.MaxValue))] };
        return WaitForecaster.ForQueuedLease(outlook, lease.LeaseId, lease.Request);
    }

    /// <summary>The booking sheet, the queue (oldest first) and when each running lease is expected to end.</summary>
    public async Task<CapacityOutlook> ReadOutlookAsync(CancellationToken cancellationToken) =>
        ReadOutlook(await inventory.SnapshotAsync(cancellationToken), await leases.ListQueuedAsync(MaxLeasesRead, cancellationToken));

    private CapacityOutlook ReadOutlook(IReadOnlyList<RegionSnapshot> snapshot, IReadOnlyList<QueuedLease> queued)
    {
        // When each holder frees its capacity comes from its booking's terms: the booking expects the requested
        // duration from when it was made, and an extension or a preemption notice moves it
        // (RecordLeaseTransitionActivity).
        var queue = queued
            .Select(q => new WaitingLease(q.LeaseId, q.GpuModel, q.Region, q.GpuMilli, TimeSpan.FromHours(q.DurationHours)))
            .ToList();
        return new CapacityOutlook(snapshot, queue, new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal), clock.GetUtcNow(), UnknownHolderEnd);
    }

    private static CommandResult<IReadOnlyList<QuoteOption>> Invalid(string field, string message) =>
        CommandResult<IReadOnlyList<QuoteOption>>.Invalid(field, message);
}
