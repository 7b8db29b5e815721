using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aisto.Domain.Leases;
using Aisto.Domain.Pricing;
using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Incubation;
using Aisto.Orchestrations.Regions;
using Aisto.Orchestrations.Results;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Leases;

/// <summary>
/// What tenants can do with leases: create (idempotently), read, list, extend and cancel. Starts and signals the
/// lease lifecycle; never changes a lease's status itself (only the lifecycle does).
/// </summary>
public sealed class LeaseCommands(
    ILeaseStore leases,
    IRegionDirectory regions,
    PriceBook prices,
    IncubationGrants grants,
    LeaseAdmission admission,
    IOptions<LeaseOptions> options,
    TimeProvider clock)
{
    private static readonly JsonSerializerOptions FingerprintJson = new() { WriteIndented = false };

    /// <summary>How long a cancel waits for a just-created lease's lifecycle to start before it is sent.</summary>
    private static readonly TimeSpan MaxStartWait = TimeSpan.FromSeconds(30);

    /// <summary>"REGION/MODEL" pairs known to exist (see <see cref="CheckAgainstFleetAsync"/>).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> modelsSeen = new(StringComparer.Ordinal);

    public async Task<CommandResult<LeaseRecord>> CreateAsync(
        DurableTaskClient durable, string tenantId, LeaseRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        // 1. Rules that need configuration: the model and region must exist, incubation needs a grant.
        var invalid = await CheckAgainstFleetAsync(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        // 2. The lease id: derived from the idempotency key (same key → same id), else fresh.
        var fingerprint = Fingerprint(request);
        var leaseId = idempotencyKey is null ? NewLeaseId() : LeaseIdFor(tenantId, idempotencyKey);
        var now = clock.GetUtcNow();
        var region = request.Region ?? NearestRegion(request);
        var lease = new LeaseRecord(
            leaseId, tenantId, LeaseStatus.Queued, request, fingerprint, null, now, null, null, null,
            LeasePricing.PricePerHour(prices, request, region), 0m, null);

        // An incubation lease draws its GPU-hours from the tenant's grant before it is stored (keyed by lease id, so a
        // retried create draws once); a lease with this id already stored is the idempotent path below.
        if (request.Pool == LeasePool.Incubation && await leases.GetAsync(tenantId, leaseId, cancellationToken) is null &&
            await grants.DrawForLeaseAsync(tenantId, leaseId, request, cancellationToken) is { } refused)
        {
            return CommandResult<LeaseRecord>.Invalid("pool", refused);
        }

        // 3. Store it; a key seen before returns its lease when the body matches, else a conflict.
        var stored = await leases.TryCreateAsync(lease, cancellationToken);
        if (!stored)
        {
            var existing = await leases.GetAsync(tenantId, leaseId, cancellationToken);
            if (existing is null || existing.RequestFingerprint != fingerprint)
            {
                return CommandResult<LeaseRecord>.Conflict(
                    "This Idempotency-Key was already used with a different request body.");
            }

            lease = existing;
        }

        // 4. Start its lifecycle (instance id = lease id, so a retry cannot start a second one). A lease stored just now
        //    has none yet (its row is written first), so only a lease seen before is looked up.
        await EnsureLifecycleAsync(durable, lease, cancellationToken, isNew: stored);
        return lease;
    }

    public async Task<CommandResult<LeaseRecord>> GetAsync(string tenantId, string leaseId, CancellationToken cancellationToken)
    {
        var lease = await leases.GetAsync(tenantId, leaseId, cancellationToken);
        return lease is null ? NotFound(leaseId) : WithLiveCharge(lease);
    }

    public async Task<LeasePage> ListAsync(
        string tenantId, LeaseStatus? status, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await leases.ListAsync(tenantId, status, continuationToken, pageSize, cancellationToken);
        return page with { Items = [.. page.Items.Select(WithLiveCharge)] };
    }

    /// <summary>
    /// The admission walk a queued lease's position and wait are read from; null when it is not queued. The position
    /// (1 = next) is across tenants, in the order the walk admits (<see cref="LeaseAdmission"/>): the order booking
    /// actually follows.
    /// </summary>
    public async Task<QueueView?> QueueViewAsync(LeaseRecord lease, CancellationToken cancellationToken) =>
        lease.Status == LeaseStatus.Queued ? await admission.ViewAsync(lease.LeaseId, cancellationToken) : null;

    public async Task<CommandResult<LeaseRecord>> ExtendAsync(
        DurableTaskClient durable, string tenantId, string leaseId, decimal additionalHours, CancellationToken cancellationToken)
    {
        var lease = await leases.GetAsync(tenantId, leaseId, cancellationToken);
        if (lease is null)
        {
            return NotFound(leaseId);
        }

        if (lease.Status != LeaseStatus.Active || lease.ExpiresAt is not { } expiresAt || lease.ActiveAt is not { } activeAt)
        {
            return CommandResult<LeaseRecord>.Conflict($"Only an Active lease can be extended; this one is {lease.Status}.");
        }

        if (lease.PreemptAt is { } preemptAt)
        {
            return CommandResult<LeaseRecord>.Conflict($"The lease's capacity is being reclaimed at {preemptAt:O}; it cannot be extended.");
        }

        if (lease.Request.Pool == LeasePool.Incubation)
        {
            return CommandResult<LeaseRecord>.Conflict("An incubation lease cannot be extended: its GPU-hours were drawn from the grant when it was created.");
        }

        var total = (decimal)(expiresAt - activeAt).TotalHours + additionalHours;
        if (total > LeaseLimits.MaxDurationHours)
        {
            return CommandResult<LeaseRecord>.Conflict(
                $"A lease can run at most {LeaseLimits.MaxDurationHours} hours; this extension would make it {total:0.##}.");
        }

        await durable.RaiseEventAsync(
            leaseId, LeaseEvents.Extend, new ExtendLeaseEvent(Guid.NewGuid().ToString("N"), additionalHours), cancellationToken);

        // The lifecycle applies the extension; answer once the record shows it (or its ending, if it raced expiry).
        var deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (clock.GetUtcNow() < deadline)
        {
            var current = await leases.GetAsync(tenantId, leaseId, cancellationToken);
            if (current is null)
            {
                break;
            }

            if (current.ExpiresAt > expiresAt)
            {
                return WithLiveCharge(current);
            }

            if (current.Status.IsTerminal() || current.Status == LeaseStatus.Releasing)
            {
                return CommandResult<LeaseRecord>.Conflict($"The lease ended before it could be extended ({current.Status}).");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), clock, cancellationToken);
        }

        return CommandResult<LeaseRecord>.Conflict("The extension was sent but not yet applied; read the lease again.");
    }

    public async Task<CommandResult<LeaseRecord>> CancelAsync(
        DurableTaskClient durable, string tenantId, string leaseId, CancellationToken cancellationToken)
    {
        var lease = await leases.GetAsync(tenantId, leaseId, cancellationToken);
        if (lease is null)
        {
            return NotFound(leaseId);
        }

        if (!lease.Status.IsTerminal())
        {
            // The Azure Storage backend can drop an event sent to an instance that is still Pending (durabletask#720):
            // a lease cancelled the moment it was created then ran on (found in CI). So the cancel goes out once the
            // lifecycle has started (started here if a crash lost it), or after waiting MaxStartWait regardless.
            // One status read decides: a running lifecycle (the usual case) gets the cancel at once.
            var instance = await durable.GetInstanceAsync(leaseId, getInputsAndOutputs: false, cancellationToken);
            if (instance is null)
            {
                await EnsureLifecycleAsync(durable, lease, cancellationToken, isNew: true);
            }

            if (instance is null or { RuntimeStatus: OrchestrationRuntimeStatus.Pending })
            {
                using var startWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                startWait.CancelAfter(MaxStartWait);
                try
                {
                    await durable.WaitForInstanceStartAsync(leaseId, getInputsAndOutputs: false, startWait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Not started yet (an overloaded worker): send it anyway; it is kept if the instance starts first.
                }
            }

            await durable.RaiseEventAsync(leaseId, LeaseEvents.Cancel, "cancelled by tenant", cancellationToken);
        }

        return WithLiveCharge(lease);
    }

    /// <summary>
    /// Starts a lifecycle for every queued lease older than <paramref name="minimumAge"/> that has none — a lease
    /// stored just before a crash, whose orchestration never started. Returns how many were started.
    /// </summary>
    public async Task<int> ReconcileQueuedAsync(DurableTaskClient durable, TimeSpan minimumAge, CancellationToken cancellationToken)
    {
        var started = 0;
        var cutoff = clock.GetUtcNow() - minimumAge;
        foreach (var queued in await leases.ListQueuedAsync(10_000, cancellationToken))
        {
            if (queued.RequestedAt > cutoff ||
                await durable.GetInstanceAsync(queued.LeaseId, getInputsAndOutputs: false, cancellationToken) is not null ||
                await leases.GetAsync(queued.TenantId, queued.LeaseId, cancellationToken) is not { } lease)
            {
                continue;
            }

            await EnsureLifecycleAsync(durable, lease, cancellationToken);
            started++;
        }

        return started;
    }

    /// <summary>
    /// Wakes the waiting leases the admission walk admits now, so they book at once instead of at their next retry
    /// (which backs off to minutes): used when capacity appears outside any lifecycle, such as nodes that joined the
    /// booking sheet after a scale-out. Waking a lease that then finds nothing only costs it one booking attempt.
    /// Returns the leases woken.
    /// </summary>
    public async Task<IReadOnlyList<string>> WakeAdmittedAsync(DurableTaskClient durable, string cause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var (walk, queue) = await admission.RunAsync(cancellationToken);
        var wake = LeaseAdmission.ToWake(walk, queue, self: string.Empty);
        foreach (var leaseId in wake)
        {
            await durable.RaiseEventAsync(leaseId, LeaseEvents.CapacityFreed, cause, cancellationToken);
        }

        return wake;
    }

    /// <summary>Starts the lifecycle of a lease that has none (after a crash between storing and starting).</summary>
    public async Task EnsureLifecycleAsync(DurableTaskClient durable, LeaseRecord lease, CancellationToken cancellationToken, bool isNew = false)
    {
        if (lease.Status.IsTerminal() ||
            (!isNew && await durable.GetInstanceAsync(lease.LeaseId, getInputsAndOutputs: false, cancellationToken) is not null))
        {
            return;
        }

        var input = new LeaseLifecycleInput(lease.LeaseId, lease.TenantId, lease.Request, lease.RequestedAt, options.Value.ToTimings());
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(
                nameof(LeaseLifecycleOrchestrator), input, new StartOrchestrationOptions(lease.LeaseId), cancellationToken);
        }
        catch (Exception ex) when (ex.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            // A concurrent retry started it first.
        }
    }

    private async Task<CommandResult<LeaseRecord>?> CheckAgainstFleetAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        if (!prices.Knows(request.GpuModel))
        {
            return CommandResult<LeaseRecord>.Invalid("gpuModel", $"Unknown GPU model '{request.GpuModel}'.");
        }

        if (request.Region is { } pinned)
        {
            if (!regions.Regions.Any(r => string.Equals(r.Id, pinned, StringComparison.OrdinalIgnoreCase)))
            {
                return CommandResult<LeaseRecord>.Invalid(
                    "region", $"Unknown region '{pinned}'. Known: {string.Join(", ", regions.Regions.Select(r => r.Id))}.");
            }

            // A region keeps the GPU models it once had (a pool scaled to zero still takes queued requests), so a
            // model seen there is remembered instead of listing the region's nodes on every request.
            var key = $"{pinned}/{request.GpuModel}".ToUpperInvariant();
            if (!modelsSeen.ContainsKey(key))
            {
                var nodes = await regions.Get(pinned).ListNodesAsync(cancellationToken);
                if (!nodes.Any(n => string.Equals(n.GpuModel, request.GpuModel, StringComparison.OrdinalIgnoreCase)))
                {
                    return CommandResult<LeaseRecord>.Invalid("region", $"Region '{pinned}' has no {request.GpuModel} GPUs.");
                }

                modelsSeen.TryAdd(key, true);
            }
        }

        return null;
    }

    private string NearestRegion(LeaseRequest request)
    {
        var snapshots = regions.Regions.Select(r => new RegionSnapshot(r, [])).ToList();
        var ordered = RegionPreference.Order(snapshots, request.ToPlacement("quote") with { MaxLatencyMs = null });
        return ordered.Count > 0 ? ordered[0].Region.Region.Id : regions.Regions[0].Id;
    }

    private LeaseRecord WithLiveCharge(LeaseRecord lease)
    {
        if (lease.Status is not (LeaseStatus.Active or LeaseStatus.Releasing) || lease.ActiveAt is not { } activeAt)
        {
            return lease;
        }

        var until = clock.GetUtcNow() < lease.ExpiresAt ? clock.GetUtcNow() : lease.ExpiresAt ?? clock.GetUtcNow();
        var live = Metering.Charge(lease.PricePerHour, activeAt, until);
        return lease with { ChargedSoFar = Math.Max(live, lease.ChargedSoFar) };
    }

    private static CommandResult<LeaseRecord> NotFound(string leaseId) =>
        CommandResult<LeaseRecord>.NotFound($"No lease '{leaseId}'.");

    private static string NewLeaseId() => "lse_" + Guid.NewGuid().ToString("N")[..24];

    private static string LeaseIdFor(string tenantId, string idempotencyKey) =>
        "lse_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenantId}\n{idempotencyKey}")))[..24];

    private static string Fingerprint(LeaseRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, FingerprintJson)));
}
