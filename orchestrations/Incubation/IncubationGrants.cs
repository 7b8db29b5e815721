using System.Security.Cryptography;
using System.Text;
using Aisto.Domain.Leases;
using Aisto.Domain.Ledger;
using Aisto.Domain.Pricing;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Ledger;
using Aisto.Orchestrations.Results;

namespace Aisto.Orchestrations.Incubation;

/// <summary>
/// Incubation grants (../API.md §Incubation grants): operators issue GPU-hours to a tenant; an incubation lease
/// draws its full size (GPUs × hours) when it is created and gives the unused part back when it ends. What it used
/// is a platform cost of the epoch the lease ends in (ledger kind IncubationGrant, valued at the on-demand price).
/// </summary>
public sealed class IncubationGrants(
    IIncubationGrantStore store,
    ILedgerStore ledger,
    EpochCalendar epochs,
    PriceBook prices,
    TimeProvider clock)
{
    public const decimal MinGpuHours = 0.25m;
    public const decimal MaxGpuHours = 1_000_000m;

    /// <summary>Issues a grant; the same operator request (same idempotency key) issues it once.</summary>
    public async Task<CommandResult<IncubationGrant>> CreateAsync(
        string tenantId, decimal gpuHours, DateTimeOffset expiresAt, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (expiresAt <= now)
        {
            return CommandResult<IncubationGrant>.Invalid("expiresAt", "must be in the future.");
        }

        var grantId = idempotencyKey is null
            ? "grt_" + Guid.NewGuid().ToString("N")[..24]
            : "grt_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenantId}\n{idempotencyKey}")))[..24];
        var grant = new IncubationGrant(grantId, tenantId, gpuHours, 0m, expiresAt.ToUniversalTime(), now);
        if (idempotencyKey is not null &&
            (await store.ListAsync(tenantId, cancellationToken)).FirstOrDefault(g => g.GrantId == grantId) is { } existing)
        {
            return existing.GpuHours == gpuHours && existing.ExpiresAt == grant.ExpiresAt
                ? existing
                : CommandResult<IncubationGrant>.Conflict("This Idempotency-Key was already used with a different request body.");
        }

        await store.CreateAsync(grant, cancellationToken);
        return grant;
    }

    public Task<IReadOnlyList<IncubationGrant>> ListAsync(string? tenantId, CancellationToken cancellationToken) =>
        store.ListAsync(tenantId, cancellationToken);

    /// <summary>GPU-hours an incubation lease draws: its GPUs (a share for a fractional GPU) × its hours.</summary>
    public static decimal GpuHoursOf(LeaseRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Gpu.Gpus * request.DurationHours;
    }

    /// <summary>
    /// Draws an incubation lease's GPU-hours from the tenant's grant, keyed by lease id (a retried create draws
    /// once). Returns null when drawn, else the reason to show on the <c>pool</c> field.
    /// </summary>
    public async Task<string?> DrawForLeaseAsync(string tenantId, string leaseId, LeaseRequest request, CancellationToken cancellationToken)
    {
        var needed = GpuHoursOf(request);
        var result = await store.TryDrawAsync(tenantId, leaseId, needed, clock.GetUtcNow(), cancellationToken);
        return result.Outcome switch
        {
            DrawOutcome.Drawn or DrawOutcome.AlreadyDrawn => null,
            DrawOutcome.NoGrant => "Incubation leases need an incubation grant, and this tenant has none.",
            DrawOutcome.Expired => "This tenant's incubation grants have expired.",
            _ => $"This lease needs {needed:0.##} GPU-hours; the tenant's incubation grants have {result.RemainingGpuHours:0.##} left.",
        };
    }

    /// <summary>
    /// Records what the run that just ended used, for an incubation lease that was preempted and goes back to the
    /// queue (call it with the lease as it ran, <see cref="LeaseRecord.ActiveAt"/> set): its final settlement then
    /// counts every run, not only the last. Idempotent by run (its start); does nothing for other leases.
    /// </summary>
    public async Task RecordRequeuedRunAsync(LeaseRecord ran, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ran);
        if (ran.Request.Pool != LeasePool.Incubation || ran.ActiveAt is not { } activeAt)
        {
            return;
        }

        var runKey = activeAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await store.RecordRunAsync(ran.TenantId, ran.LeaseId, runKey, RunGpuHours(ran, endedAt), cancellationToken);
    }

    /// <summary>GPU-hours of the lease's current run: its GPUs from Active to <paramref name="endedAt"/>.</summary>
    private static decimal RunGpuHours(LeaseRecord lease, DateTimeOffset endedAt)
    {
        if (lease.ActiveAt is not { } activeAt || endedAt <= activeAt)
        {
            return 0m;
        }

        var hours = (decimal)(endedAt - activeAt).TotalSeconds / 3600m;
        return Math.Round(lease.Request.Gpu.Gpus * hours, 6, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// Gives back the unused part of an ended incubation lease's draw and books what it used as a platform cost.
    /// Call it with the lease as ended (terminal status, <see cref="LeaseRecord.EndedAt"/> set); it does nothing for
    /// leases that drew no grant, and calling it again changes nothing. Returns the GPU-hours given back.
    /// </summary>
    public async Task<decimal> ReturnUnusedAsync(LeaseRecord ended, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ended);
        if (ended.Request.Pool != LeasePool.Incubation ||
            await store.GetDrawAsync(ended.TenantId, ended.LeaseId, cancellationToken) is not { } draw)
        {
            return 0m;
        }

        // 1. What it used: its GPUs from Active to its end, plus its earlier runs if it was re-queued, never more
        //    than it drew.
        var endedAt = ended.EndedAt ?? clock.GetUtcNow();
        var used = Math.Min(draw.GpuHours, (draw.Settled ? 0m : draw.UsedGpuHours) + RunGpuHours(ended, endedAt));

        // 2. The cost first (idempotent by lease id), so a crash before the settlement leaves nothing unbooked.
        if (used > 0 && ended.Placement is { } placement)
        {
            var usd = PriceBook.Round(used * prices.GpuHourPrice(ended.Request.GpuModel, placement.Region, LeaseClass.OnDemand));
            await ledger.AppendAsync(
                new LedgerEntry(
                    epochs.EpochOf(endedAt), $"incubation-{ended.LeaseId}", LedgerEntryKind.IncubationGrant, ended.TenantId,
                    usd, ended.ActiveAt ?? endedAt, endedAt, ended.LeaseId),
                cancellationToken);
        }

        // 3. The grant keeps what was used and gets the rest back.
        var settled = await store.SettleAsync(ended.TenantId, ended.LeaseId, used, cancellationToken);
        return settled is null ? 0m : settled.GpuHours - settled.UsedGpuHours;
    }
}
