using System.Text.Json;
using Aisto.Domain.Leases;
using Aisto.Infrastructure.Json;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Leases;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Leases;

/// <summary>
/// Leases in Azure Tables: <c>leases</c> (PK tenant, RK lease id) and <c>leaseindex</c> (PK lease id → tenant) so
/// the lifecycle can find a lease by id alone. Updates are ETag-guarded read-modify-write.
/// </summary>
public sealed class TableLeaseStore(AistoTables tables) : ILeaseStore
{
    private const string LeasesTable = "leases";
    private const string IndexTable = "leaseindex";

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
            await leases.AddEntityAsync(ToEntity(lease), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<LeaseRecord?> GetAsync(string tenantId, string leaseId, CancellationToken cancellationToken = default)
    {
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
        await foreach (var page in leases.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken)
                           .AsPages(continuationToken, pageSize))
        {
            return new LeasePage([.. page.Values.Select(FromEntity)], page.ContinuationToken);
        }

        return new LeasePage([], null);
    }

    public async Task<IReadOnlyList<LeaseRecord>> ListByStatusAsync(LeaseStatus status, int max, CancellationToken cancellationToken = default)
    {
        var leases = await tables.GetAsync(LeasesTable, cancellationToken);
        var found = new List<LeaseRecord>();
        var filter = TableClient.CreateQueryFilter($"Status eq {status.ToString()}");
        await foreach (var entity in leases.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            found.Add(FromEntity(entity));
        }

        return [.. found.OrderBy(l => l.RequestedAt).ThenBy(l => l.LeaseId, StringComparer.Ordinal).Take(max)];
    }

    public async Task<LeaseRecord> UpdateAsync(string leaseId, Func<LeaseRecord, LeaseRecord> change, CancellationToken cancellationToken = default)
    {
        var tenant = await TenantOfAsync(leaseId, cancellationToken)
            ?? throw new KeyNotFoundException($"Lease {leaseId} does not exist.");
        var leases = await tables.GetAsync(LeasesTable, cancellationToken);
        while (true)
        {
            var current = await leases.GetEntityAsync<TableEntity>(tenant, leaseId, cancellationToken: cancellationToken);
            var updated = change(FromEntity(current.Value));
            try
            {
                await leases.UpdateEntityAsync(ToEntity(updated), current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return updated;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Changed since we read it: read again and apply the change to the newer record.
            }
        }
    }

    private async Task<string?> TenantOfAsync(string leaseId, CancellationToken cancellationToken)
    {
        var index = await tables.GetAsync(IndexTable, cancellationToken);
        var row = await index.GetEntityIfExistsAsync<TableEntity>(leaseId, "tenant", cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } entity ? entity.GetString("TenantId") : null;
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
        e.GetString("FailureReason"));
}
