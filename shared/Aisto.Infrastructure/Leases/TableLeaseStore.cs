using System.Collections.Concurrent;
using System.Text.Json;
using Aisto.Domain.Leases;
using Aisto.Infrastructure.Json;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Leases;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Leases;

/// <summary>
/// Leases in Azure Tables: <c>leases</c> (PK tenant, RK lease id), <c>leaseindex</c> (PK lease id → tenant) so the
/// lifecycle can find a lease by id alone, and <c>leasequeue</c> (one partition, RK = request time + id) holding the
/// queued leases oldest first, so queue reads never scan all leases. (When a running lease frees its capacity is on
/// its booking in the inventory, and so is its tenant.) Updates are ETag-guarded
/// read-modify-write; the record this process wrote last (with its ETag) stands in for the read, so a lifecycle
/// that moves its lease through four states reads it once, not four times — if anyone else wrote it meanwhile the
/// ETag no longer matches and the update reads again. The queue is read on every booking attempt and every queued
/// lease's GET: it is served from a <see cref="PartitionMirror{T}"/> (read whole at most once per
/// <see cref="LeaseOptions.QueueViewMaxAge"/>, this process's own changes applied at once).
/// </summary>
public sealed class TableLeaseStore : ILeaseStore
{
    private const string LeasesTable = "leases";
    private const string IndexTable = "leaseindex";
    private const string QueueTable = "leasequeue";
    private const string QueuePartition = "queued";

    // A lease's tenant never changes: remember it instead of reading the index on every update.
    private readonly ConcurrentDictionary<string, string> tenantOf = new(StringComparer.Ordinal);

    /// <summary>Leases this process wrote last, with the ETag of that write; ended leases leave it.</summary>
    private readonly ConcurrentDictionary<string, (LeaseRecord Lease, ETag ETag)> lastWritten = new(StringComparer.Ordinal);

    /// <summary>A bound on <see cref="lastWritten"/> so leases that never end here cannot grow it without limit.</summary>
    private const int MaxRemembered = 100_000;

    private readonly AistoTables tables;
    private readonly ILogger? logger;
    private readonly PartitionMirror<QueuedLease> queued;

    public TableLeaseStore(AistoTables tables, ILogger<TableLeaseStore>? logger = null, IOptions<LeaseOptions>? options = null, TimeProvider? clock = null)
    {
        this.tables = tables;
        this.logger = logger;
        var maxAge = options?.Value.QueueViewMaxAge ?? new LeaseOptions().QueueViewMaxAge;
        queued = new PartitionMirror<QueuedLease>(ReadQueueAsync, maxAge, maxAge * 10, clock);
    }

    public async Task<bool> TryCreateAsync(LeaseRecord lease, CancellationToken cancellationToken = default)
    {
        var index = await tables.GetAsync(IndexTable, cancellationToken);
        var leases = await tables.GetAsync(LeasesTable, cancellationToken);
        try
        {
            // The index row goes first: a lease row never exists without it.
            await index.UpsertEntityAsync(
                new TableEntity(lease.LeaseId, "tenant") { ["TenantId"] = lease.TenantId },
                TableUpdateMode.Replace,
                cancellationToken);
            var added = await leases.AddEntityAsync(ToEntity(lease), cancellationToken);
            tenantOf[lease.LeaseId] = lease.TenantId;
            Remember(lease, added.Headers.ETag);
            if (lease.Status == LeaseStatus.Queued)
            {
                var queue = await tables.GetAsync(QueueTable, cancellationToken);
                await queue.UpsertEntityAsync(QueueEntry(lease), TableUpdateMode.Replace, cancellationToken);
                queued.Apply(QueueKey(lease), _ => ToQueued(lease, waiting: false));
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<LeaseRecord?> GetAsync(string tenantId, string leaseId, CancellationToken cancellationToken = default)
    {
        if (!TableKeys.IsValid(leaseId))
        {
            return null;
        }

        var leases = await tables.GetAsync(LeasesTable, cancellationToken);
        var row = await leases.GetEntityIfExistsAsync<TableEntity>(tenantId, leaseId, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } entity ? FromEntity(entity) : null;
    }

    public async Task<LeaseRecord?> FindAsync(string leaseId, CancellationToken cancellationToken = default)
    {
        var tenant = await TenantOfAsync(leaseId, cancellationToken);
        return tenant is null ? null : await GetAsync(tenant, leaseId, cancellationToken);
    }

    public async Task<LeasePage> ListAsync(
        string tenantId, LeaseStatus? status, string? continuationToken, int pageSize, CancellationToken cancellationToken = default)
    {
        var leases = await tables.GetAsync(LeasesTable, cancellationToken);
        var filter = status is { } s
            ? TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and Status eq {s.ToString()}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {tenantId}");
        if (continuationToken is not null && !IsTableToken(continuationToken))
        {
            throw new InvalidContinuationTokenException("The continuation token was not issued by this store.");
        }

        Page<TableEntity>? page;
        try
        {
            // Only the token can fail here: the SDK refuses a token it cannot split into keys (ArgumentException),
            // the service one whose keys it cannot decode (400). The filter is built from a known tenant id.
            await using var pages = leases.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken)
                .AsPages(continuationToken, pageSize).GetAsyncEnumerator(cancellationToken);
            page = await pages.MoveNextAsync() ? pages.Current : null;
        }
        catch (Exception ex) when (continuationToken is not null && ex is ArgumentException or FormatException or RequestFailedException { Status: 400 })
        {
            throw new InvalidContinuationTokenException("The continuation token was not issued by this store.", ex);
        }

        if (page is null)
        {
            return new LeasePage([], null);
        }

        var items = new List<LeaseRecord>(page.Values.Count);
        foreach (var entity in page.Values)
        {
            if (TryFromEntity(entity) is { } lease)
            {
                items.Add(lease);
            }
        }

        return new LeasePage(items, page.ContinuationToken);
    }

    /// <summary>
    /// The shape of the tokens this store hands out: the table service's next partition and row keys, joined by one
    /// space (the keys are encoded by the service and contain no spaces or control characters). The SDK itself takes
    /// any string apart leniently, so a token of another shape is refused here.
    /// </summary>
    private static bool IsTableToken(string token) =>
        token.Count(c => c == ' ') == 1 && token[0] != ' ' && token.All(c => c is >= ' ' and <= '~');

    /// <summary>A stored row, or null (logged) when it cannot be read: one damaged row must not break a listing.</summary>
    private LeaseRecord? TryFromEntity(TableEntity entity)
    {
        try
        {
            var lease = FromEntity(entity);
            return lease.Request is null ? throw new JsonException("The row has no request.") : lease;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            (logger ?? (ILogger)NullLogger.Instance).LogWarning(
                ex, "Lease row {TenantId}/{LeaseId} cannot be read; left out of the listing", entity.PartitionKey, entity.RowKey);
            return null;
        }
    }

    public async Task<IReadOnlyList<QueuedLease>> ListQueuedAsync(int max, CancellationToken cancellationToken = default)
    {
        var all = await queued.ListAsync(cancellationToken);
        return all.Count <= max ? all : [.. all.Take(max)];
    }

    private async Task<IReadOnlyList<KeyValuePair<string, QueuedLease>>> ReadQueueAsync(CancellationToken cancellationToken)
    {
        var queue = await tables.GetAsync(QueueTable, cancellationToken);
        var found = new List<KeyValuePair<string, QueuedLease>>();
        await foreach (var e in queue.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {QueuePartition}"), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            found.Add(KeyValuePair.Create(e.RowKey, new QueuedLease(
                e.GetString("LeaseId"), e.GetString("TenantId"), e.GetString("GpuModel"), e.GetString("Region"),
                e.GetDateTimeOffset("RequestedAt") ?? default,
                e.GetBoolean("Waiting") ?? false,
                e.GetInt32("GpuMilli") ?? 1000,
                e.GetDouble("DurationHours") ?? 1,
                e.GetString("Request") is { } request ? JsonSerializer.Deserialize<LeaseRequest>(request, AistoJson.Options) : null)));
        }

        return found;
    }

    public async Task<LeaseRecord> UpdateAsync(string leaseId, Func<LeaseRecord, LeaseRecord> change, CancellationToken cancellationToken = default)
    {
        var tenant = await TenantOfAsync(leaseId, cancellationToken)
            ?? throw new KeyNotFoundException($"Lease {leaseId} does not exist.");
        var leases = await tables.GetAsync(LeasesTable, cancellationToken);
        var known = lastWritten.TryRemove(leaseId, out var remembered) ? remembered : ((LeaseRecord, ETag)?)null;
        while (true)
        {
            var (before, etag) = known ?? await ReadAsync(leases, tenant, leaseId, cancellationToken);
            known = null;
            var updated = change(before);
            if (before.Status == LeaseStatus.Queued && updated.Status != LeaseStatus.Queued)
            {
                // Leave the queue first: a crash before the update leaves a lease that retries on its own timer,
                // never a finished lease that still looks queued.
                await DequeueAsync(before, cancellationToken);
            }

            if (before.Status != LeaseStatus.Queued && updated.Status == LeaseStatus.Queued)
            {
                // Back in the queue (re-queued after a preemption): at its old place, and waiting for capacity.
                var queue = await tables.GetAsync(QueueTable, cancellationToken);
                var entry = QueueEntry(updated);
                entry["Waiting"] = true;
                await queue.UpsertEntityAsync(entry, TableUpdateMode.Replace, cancellationToken);
                queued.Apply(QueueKey(updated), _ => ToQueued(updated, waiting: true));
            }

            try
            {
                var written = await leases.UpdateEntityAsync(ToEntity(updated), etag, TableUpdateMode.Replace, cancellationToken);
                Remember(updated, written.Headers.ETag);
                return updated;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Changed since we read it: read again and apply the change to the newer record.
            }
        }
    }

    private static async Task<(LeaseRecord Lease, ETag ETag)> ReadAsync(
        TableClient leases, string tenant, string leaseId, CancellationToken cancellationToken)
    {
        var current = await leases.GetEntityAsync<TableEntity>(tenant, leaseId, cancellationToken: cancellationToken);
        return (FromEntity(current.Value), current.Value.ETag);
    }

    private void Remember(LeaseRecord lease, ETag? etag)
    {
        if (lease.Status.IsTerminal() || etag is not { } known)
        {
            lastWritten.TryRemove(lease.LeaseId, out _);
            return;
        }

        if (lastWritten.Count >= MaxRemembered)
        {
            lastWritten.Clear();
        }

        lastWritten[lease.LeaseId] = (lease, known);
    }

    public async Task MarkWaitingAsync(string leaseId, CancellationToken cancellationToken = default)
    {
        var lease = await FindAsync(leaseId, cancellationToken);
        if (lease is null || lease.Status != LeaseStatus.Queued)
        {
            return;
        }

        var queue = await tables.GetAsync(QueueTable, cancellationToken);
        try
        {
            await queue.UpdateEntityAsync(
                new TableEntity(QueuePartition, QueueKey(lease)) { ["Waiting"] = true }, ETag.All, TableUpdateMode.Merge, cancellationToken);
            queued.Apply(QueueKey(lease), row => row is null ? null : row with { Waiting = true });
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // It left the queue meanwhile.
            queued.Apply(QueueKey(lease), _ => null);
        }
    }

    private async Task DequeueAsync(LeaseRecord lease, CancellationToken cancellationToken)
    {
        var queue = await tables.GetAsync(QueueTable, cancellationToken);
        try
        {
            await queue.DeleteEntityAsync(QueuePartition, QueueKey(lease), ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already left the queue.
        }

        queued.Apply(QueueKey(lease), _ => null);
    }

    private static string QueueKey(LeaseRecord lease) =>
        $"{lease.RequestedAt.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture)}-{lease.LeaseId}";

    private static QueuedLease ToQueued(LeaseRecord lease, bool waiting) => new(
        lease.LeaseId, lease.TenantId, lease.Request.GpuModel, lease.Request.Region, lease.RequestedAt, waiting,
        lease.Request.Gpu.TotalMilli, (double)lease.Request.DurationHours, lease.Request);

    private static TableEntity QueueEntry(LeaseRecord lease) => new(QueuePartition, QueueKey(lease))
    {
        ["LeaseId"] = lease.LeaseId,
        ["TenantId"] = lease.TenantId,
        ["GpuModel"] = lease.Request.GpuModel,
        ["Region"] = lease.Request.Region,
        ["RequestedAt"] = lease.RequestedAt,
        ["GpuMilli"] = lease.Request.Gpu.TotalMilli,
        ["DurationHours"] = (double)lease.Request.DurationHours,
        ["Request"] = JsonSerializer.Serialize(lease.Request, AistoJson.Options),
    };

    private async Task<string?> TenantOfAsync(string leaseId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(leaseId))
        {
            return null;
        }

        if (tenantOf.TryGetValue(leaseId, out var known))
        {
            return known;
        }

        var index = await tables.GetAsync(IndexTable, cancellationToken);
        var row = await index.GetEntityIfExistsAsync<TableEntity>(leaseId, "tenant", cancellationToken: cancellationToken);
        if (row.HasValue && row.Value is { } entity && entity.GetString("TenantId") is { } tenant)
        {
            tenantOf[leaseId] = tenant;
            return tenant;
        }

        return null;
    }

    private static TableEntity ToEntity(LeaseRecord lease) => new(lease.TenantId, lease.LeaseId)
    {
        ["Status"] = lease.Status.ToString(),
        ["Request"] = JsonSerializer.Serialize(lease.Request, AistoJson.Options),
        ["RequestFingerprint"] = lease.RequestFingerprint,
        ["Placement"] = lease.Placement is null ? null : JsonSerializer.Serialize(lease.Placement, AistoJson.Options),
        ["RequestedAt"] = lease.RequestedAt,
        ["ActiveAt"] = lease.ActiveAt,
        ["ExpiresAt"] = lease.ExpiresAt,
        ["EndedAt"] = lease.EndedAt,
        ["PricePerHour"] = lease.PricePerHour.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ChargedSoFar"] = lease.ChargedSoFar.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["FailureReason"] = lease.FailureReason,
        ["PreemptAt"] = lease.PreemptAt,
    };

    private static LeaseRecord FromEntity(TableEntity e) => new(
        e.RowKey,
        e.PartitionKey,
        Enum.Parse<LeaseStatus>(e.GetString("Status")),
        JsonSerializer.Deserialize<LeaseRequest>(e.GetString("Request"), AistoJson.Options)!,
        e.GetString("RequestFingerprint") ?? "",
        e.GetString("Placement") is { } placement ? JsonSerializer.Deserialize<LeasePlacement>(placement, AistoJson.Options) : null,
        e.GetDateTimeOffset("RequestedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("ActiveAt"),
        e.GetDateTimeOffset("ExpiresAt"),
        e.GetDateTimeOffset("EndedAt"),
        decimal.Parse(e.GetString("PricePerHour") ?? "0", System.Globalization.CultureInfo.InvariantCulture),
        decimal.Parse(e.GetString("ChargedSoFar") ?? "0", System.Globalization.CultureInfo.InvariantCulture),
        e.GetString("FailureReason"),
        e.GetDateTimeOffset("PreemptAt"));
}
