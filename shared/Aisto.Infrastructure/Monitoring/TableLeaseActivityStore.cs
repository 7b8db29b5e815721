using System.Globalization;
using Aisto.Domain.Leases;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Monitoring;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Monitoring;

/// <summary>
/// Lease changes in Azure Tables, table <c>leaseactivity</c>: PK = the UTC hour of the change (<c>yyyyMMddHH</c>),
/// RK = inverted ticks + lease id + status, so a partition reads newest first and a window of an hour touches two
/// partitions. The same change recorded twice lands on the same row. Changes share requests (group commit, gathered
/// for <see cref="Linger"/>): every lease transition records one, so this table would otherwise take a ninth of a
/// lease lifecycle's storage calls. Nobody on a lease's path waits for it (<c>ObservedLeaseStore</c>).
/// </summary>
public sealed class TableLeaseActivityStore : ILeaseActivityStore, IAsyncDisposable
{
    private const string Table = "leaseactivity";

    /// <summary>How long a change waits for others to share its request.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(50);

    private readonly AistoTables tables;
    private readonly TimeProvider clock;
    private readonly TableGroupCommit writes;

    public TableLeaseActivityStore(AistoTables tables, TimeProvider clock)
    {
        this.tables = tables;
        this.clock = clock;
        writes = new TableGroupCommit(ct => tables.GetAsync(Table, ct), Linger);
    }

    public ValueTask DisposeAsync() => writes.DisposeAsync();

    public async Task RecordAsync(LeaseActivity activity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var entity = new TableEntity(Hour(activity.At), $"{Inverted(activity.At)}-{activity.LeaseId}-{activity.Status}")
        {
            ["LeaseId"] = activity.LeaseId,
            ["TenantId"] = activity.TenantId,
            ["Status"] = activity.Status.ToString(),
            ["Region"] = activity.Region,
            ["GpuModel"] = activity.GpuModel,
            ["Gpus"] = activity.Gpus.ToString(CultureInfo.InvariantCulture),
            ["Pool"] = activity.Pool,
            ["RequestedAt"] = activity.RequestedAt,
            ["At"] = activity.At,
            ["FailureReason"] = activity.FailureReason,
        };
        await writes.UpsertAsync(entity, cancellationToken);
    }

    public async Task<IReadOnlyList<LeaseActivity>> ListSinceAsync(DateTimeOffset since, int max, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var found = new List<LeaseActivity>();
        var oldest = Inverted(since);
        for (var hour = Truncate(clock.GetUtcNow()); hour >= Truncate(since) && found.Count < max; hour = hour.AddHours(-1))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Hour(hour)} and RowKey le {oldest + "~"}");
            await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
            {
                found.Add(FromEntity(e));
                if (found.Count == max)
                {
                    break;
                }
            }
        }

        return found;
    }

    private static LeaseActivity FromEntity(TableEntity e) => new(
        e.GetString("LeaseId"),
        e.GetString("TenantId"),
        Enum.Parse<LeaseStatus>(e.GetString("Status")),
        e.GetString("Region"),
        e.GetString("GpuModel"),
        decimal.Parse(e.GetString("Gpus") ?? "0", CultureInfo.InvariantCulture),
        e.GetString("Pool"),
        e.GetDateTimeOffset("RequestedAt") ?? default,
        e.GetDateTimeOffset("At") ?? default,
        e.GetString("FailureReason"));

    private static DateTimeOffset Truncate(DateTimeOffset at) =>
        new(at.UtcDateTime.Year, at.UtcDateTime.Month, at.UtcDateTime.Day, at.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);

    private static string Hour(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    private static string Inverted(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
