using System.Globalization;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Incubation;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Incubation;

/// <summary>
/// Grants and draws in one Azure table, <c>incubationgrants</c>, partitioned by tenant: grant rows
/// (RK <c>grant-{id}</c>) and draw rows (RK <c>draw-{leaseId}</c>). A draw inserts its row and raises the grant's
/// used hours in one entity-group transaction guarded by the grant's ETag, so a lost race retries and no lease ever
/// draws twice (its row already exists). Hours are stored as invariant decimal strings.
/// </summary>
public sealed class TableIncubationGrantStore(AistoTables tables) : IIncubationGrantStore
{
    private const string Table = "incubationgrants";
    private const string GrantPrefix = "grant-";
    private const string DrawPrefix = "draw-";
    private const int MaxAttempts = 32;

    public async Task CreateAsync(IncubationGrant grant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var table = await tables.GetAsync(Table, cancellationToken);
        try
        {
            await table.AddEntityAsync(ToEntity(grant), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // The same grant issued again (same id): keep the first.
        }
    }

    public async Task<IReadOnlyList<IncubationGrant>> ListAsync(string? tenantId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var filter = tenantId is null
            ? TableClient.CreateQueryFilter($"RowKey ge {GrantPrefix} and RowKey lt {"grant."}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and RowKey ge {GrantPrefix} and RowKey lt {"grant."}");
        var grants = new List<IncubationGrant>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            grants.Add(FromEntity(e));
        }

        return [.. grants.OrderByDescending(g => g.CreatedAt).ThenBy(g => g.GrantId, StringComparer.Ordinal)];
    }

    public async Task<DrawResult> TryDrawAsync(
        string tenantId, string leaseId, decimal gpuHours, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            // 1. Read the tenant's partition: its grants and whether this lease drew already.
            var rows = new List<TableEntity>();
            await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == tenantId, cancellationToken: cancellationToken))
            {
                rows.Add(e);
            }

            if (rows.FirstOrDefault(r => r.RowKey == DrawPrefix + leaseId) is { } drawn)
            {
                return new DrawResult(DrawOutcome.AlreadyDrawn, DrawFromEntity(drawn), 0m);
            }

            var grants = rows.Where(r => r.RowKey.StartsWith(GrantPrefix, StringComparison.Ordinal)).Select(r => (Row: r, Grant: FromEntity(r))).ToList();
            if (grants.Count == 0)
            {
                return new DrawResult(DrawOutcome.NoGrant, null, 0m);
            }

            var live = grants.Where(g => g.Grant.ExpiresAt > asOf).ToList();
            if (live.Count == 0)
            {
                return new DrawResult(DrawOutcome.Expired, null, 0m);
            }

            // 2. The grant expiring first that still has enough.
            var chosen = live.Where(g => g.Grant.RemainingGpuHours >= gpuHours)
                .OrderBy(g => g.Grant.ExpiresAt).ThenBy(g => g.Grant.GrantId, StringComparer.Ordinal).FirstOrDefault();
            if (chosen.Grant is null)
            {
                return new DrawResult(DrawOutcome.UsedUp, null, live.Max(g => g.Grant.RemainingGpuHours));
            }

            // 3. Draw row and used hours in one transaction, only if the grant is unchanged since step 1.
            var draw = new IncubationDraw(leaseId, tenantId, chosen.Grant.GrantId, gpuHours, Settled: false, UsedGpuHours: 0m);
            var used = chosen.Grant with { UsedGpuHours = chosen.Grant.UsedGpuHours + gpuHours };
            if (await TrySubmitAsync(
                    table,
                    [
                        new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(used), chosen.Row.ETag),
                        new TableTransactionAction(TableTransactionActionType.Add, ToEntity(draw)),
                    ],
                    cancellationToken))
            {
                return new DrawResult(DrawOutcome.Drawn, draw, used.RemainingGpuHours);
            }
        }

        throw new InvalidOperationException($"Could not draw incubation hours for lease {leaseId} after {MaxAttempts} contended attempts.");
    }

    public async Task<IncubationDraw?> GetDrawAsync(string tenantId, string leaseId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(tenantId, DrawPrefix + leaseId, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } e ? DrawFromEntity(e) : null;
    }

    public async Task<IncubationDraw?> SettleAsync(string tenantId, string leaseId, decimal usedGpuHours, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var drawRow = await table.GetEntityIfExistsAsync<TableEntity>(tenantId, DrawPrefix + leaseId, cancellationToken: cancellationToken);
            if (!drawRow.HasValue || drawRow.Value is null)
            {
                return null;
            }

            var draw = DrawFromEntity(drawRow.Value);
            if (draw.Settled)
            {
                return draw;
            }

            var grantRow = await table.GetEntityAsync<TableEntity>(tenantId, GrantPrefix + draw.GrantId, cancellationToken: cancellationToken);
            var grant = FromEntity(grantRow.Value);
            var used = Math.Clamp(usedGpuHours, 0m, draw.GpuHours);
            var settled = draw with { Settled = true, UsedGpuHours = used };
            var returned = grant with { UsedGpuHours = Math.Max(0m, grant.UsedGpuHours - (draw.GpuHours - used)) };
            if (await TrySubmitAsync(
                    table,
                    [
                        new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(returned), grantRow.Value.ETag),
                        new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(settled), drawRow.Value.ETag),
                    ],
                    cancellationToken))
            {
                return settled;
            }
        }

        throw new InvalidOperationException($"Could not settle the incubation draw of lease {leaseId} after {MaxAttempts} contended attempts.");
    }

    public async Task<IncubationDraw?> RecordRunAsync(
        string tenantId, string leaseId, string runKey, decimal gpuHours, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(tenantId, DrawPrefix + leaseId, cancellationToken: cancellationToken);
            if (!row.HasValue || row.Value is null)
            {
                return null;
            }

            // The draw row lists the runs already counted, so a retried record adds nothing.
            var draw = DrawFromEntity(row.Value);
            var runs = (row.Value.GetString("Runs") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (draw.Settled || runs.Contains(runKey, StringComparer.Ordinal))
            {
                return draw;
            }

            var recorded = draw with { UsedGpuHours = draw.UsedGpuHours + Math.Max(0m, gpuHours) };
            var entity = ToEntity(recorded);
            entity["Runs"] = string.Join(' ', runs.Append(runKey));
            try
            {
                await table.UpdateEntityAsync(entity, row.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return recorded;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Changed since we read it: read again.
            }
        }

        throw new InvalidOperationException($"Could not record a run of the incubation draw of lease {leaseId} after {MaxAttempts} contended attempts.");
    }

    /// <summary>True when the transaction committed; false when another writer changed a row first (412/409).</summary>
    private static async Task<bool> TrySubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 409)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40)), cancellationToken);
            return false;
        }
    }

    private static TableEntity ToEntity(IncubationGrant g) => new(g.TenantId, GrantPrefix + g.GrantId)
    {
        ["GrantId"] = g.GrantId,
        ["GpuHours"] = Text(g.GpuHours),
        ["UsedGpuHours"] = Text(g.UsedGpuHours),
        ["ExpiresAt"] = g.ExpiresAt,
        ["CreatedAt"] = g.CreatedAt,
    };

    private static IncubationGrant FromEntity(TableEntity e) => new(
        e.GetString("GrantId"),
        e.PartitionKey,
        Number(e.GetString("GpuHours")),
        Number(e.GetString("UsedGpuHours")),
        e.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue);

    private static TableEntity ToEntity(IncubationDraw d) => new(d.TenantId, DrawPrefix + d.LeaseId)
    {
        ["GrantId"] = d.GrantId,
        ["GpuHours"] = Text(d.GpuHours),
        ["Settled"] = d.Settled,
        ["UsedGpuHours"] = Text(d.UsedGpuHours),
    };

    private static IncubationDraw DrawFromEntity(TableEntity e) => new(
        e.RowKey[DrawPrefix.Length..],
        e.PartitionKey,
        e.GetString("GrantId"),
        Number(e.GetString("GpuHours")),
        e.GetBoolean("Settled") ?? false,
        Number(e.GetString("UsedGpuHours")));

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static decimal Number(string? text) => decimal.Parse(text ?? "0", CultureInfo.InvariantCulture);
}
