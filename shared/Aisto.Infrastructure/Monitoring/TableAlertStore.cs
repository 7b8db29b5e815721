using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Aisto.Domain.Monitoring;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Monitoring;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Monitoring;

/// <summary>
/// Alerts in Azure Tables, table <c>alerts</c>. Partition <c>open</c> holds one row per open alert, keyed by a hash
/// of the alert key: inserting it is the deduplication (a second insert answers 409, across processes). Partition
/// <c>history</c> holds every alert, RK = inverted raise time, newest first; resolving deletes the open row
/// (ETag-guarded) and marks the history row resolved.
/// </summary>
public sealed class TableAlertStore(AistoTables tables) : IAlertStore
{
    private const string Table = "alerts";
    private const string OpenPartition = "open";
    private const string HistoryPartition = "history";

    public async Task<Alert?> TryOpenAsync(AlertCondition condition, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var table = await tables.GetAsync(Table, cancellationToken);
        var keyHash = Hash(condition.Key);
        var alert = new Alert(
            $"alr_{at.UtcDateTime:yyyyMMddHHmmssfff}_{keyHash[..8]}", condition.Key, condition.Kind, condition.Severity, condition.Region,
            condition.Message, AlertState.Open, at, null);
        try
        {
            await table.AddEntityAsync(ToEntity(OpenPartition, keyHash, alert), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }

        await table.UpsertEntityAsync(ToEntity(HistoryPartition, HistoryKey(alert), alert), TableUpdateMode.Replace, cancellationToken);
        return alert;
    }

    public async Task<Alert?> ResolveAsync(string key, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var open = await table.GetEntityIfExistsAsync<TableEntity>(OpenPartition, Hash(key), cancellationToken: cancellationToken);
        if (!open.HasValue || open.Value is not { } row)
        {
            return null;
        }

        try
        {
            await table.DeleteEntityAsync(OpenPartition, row.RowKey, row.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null; // resolved (or re-opened) by someone else meanwhile
        }

        var resolved = FromEntity(row) with { State = AlertState.Resolved, ResolvedAt = at };
        await table.UpsertEntityAsync(ToEntity(HistoryPartition, HistoryKey(resolved), resolved), TableUpdateMode.Replace, cancellationToken);
        return resolved;
    }

    public async Task<IReadOnlyList<Alert>> ListOpenAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var open = new List<Alert>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == OpenPartition, cancellationToken: cancellationToken))
        {
            open.Add(FromEntity(e));
        }

        return [.. open.OrderByDescending(a => a.RaisedAt)];
    }

    public async Task<IReadOnlyList<Alert>> ListRecentAsync(DateTimeOffset since, int max, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {HistoryPartition} and RowKey le {Inverted(since) + "~"}");
        var found = new List<Alert>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
        {
            found.Add(FromEntity(e));
            if (found.Count == max)
            {
                break;
            }
        }

        // An open alert whose history row was not written yet (a crash in between) is still listed.
        var listed = found.Select(a => a.AlertId).ToHashSet(StringComparer.Ordinal);
        found.AddRange((await ListOpenAsync(cancellationToken)).Where(a => a.RaisedAt >= since && !listed.Contains(a.AlertId)));
        return [.. found.OrderByDescending(a => a.RaisedAt).Take(max)];
    }

    private static TableEntity ToEntity(string partition, string rowKey, Alert alert) => new(partition, rowKey)
    {
        ["AlertId"] = alert.AlertId,
        ["Key"] = alert.Key,
        ["Kind"] = alert.Kind.ToString(),
        ["Severity"] = alert.Severity.ToString(),
        ["Region"] = alert.Region,
        ["Message"] = alert.Message,
        ["State"] = alert.State.ToString(),
        ["RaisedAt"] = alert.RaisedAt,
        ["ResolvedAt"] = alert.ResolvedAt,
    };

    private static Alert FromEntity(TableEntity e) => new(
        e.GetString("AlertId"),
        e.GetString("Key"),
        Enum.Parse<AlertKind>(e.GetString("Kind")),
        Enum.Parse<AlertSeverity>(e.GetString("Severity")),
        e.GetString("Region"),
        e.GetString("Message"),
        Enum.Parse<AlertState>(e.GetString("State")),
        e.GetDateTimeOffset("RaisedAt") ?? default,
        e.GetDateTimeOffset("ResolvedAt"));

    private static string HistoryKey(Alert alert) => $"{Inverted(alert.RaisedAt)}-{alert.AlertId}";

    private static string Inverted(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    // Alert keys hold '/', which row keys may not: the open row is keyed by the key's hash.
    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
}
