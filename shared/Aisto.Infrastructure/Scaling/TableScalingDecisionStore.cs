using System.Globalization;
using System.Text.Json;
using Aisto.Domain.Scaling;
using Aisto.Infrastructure.Json;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Scaling;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Scaling;

/// <summary>
/// Autoscaling decisions in Azure Tables: <c>scalingdecisions</c>, PK region, RK <c>{inverted ticks}|{pool id}</c>
/// so the newest come first and one run's row for one pool is always the same row. Forecast, plan and outcome
/// are JSON columns.
/// </summary>
public sealed class TableScalingDecisionStore(AistoTables tables) : IScalingDecisionStore
{
    private const string Table = "scalingdecisions";

    public async Task RecordAsync(ScalingDecision decision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var table = await tables.GetAsync(Table, cancellationToken);
        var entity = new TableEntity(decision.Region, $"{Inverted(decision.AsOf)}|{decision.PoolId}")
        {
            ["PoolId"] = decision.PoolId,
            ["GpuModel"] = decision.GpuModel,
            ["AsOf"] = decision.AsOf,
            ["Direction"] = decision.Plan.Direction.ToString(),
            ["Applied"] = decision.Applied,
            ["Forecast"] = JsonSerializer.Serialize(decision.Forecast, AistoJson.Options),
            ["Plan"] = JsonSerializer.Serialize(decision.Plan, AistoJson.Options),
            ["Outcome"] = decision.Outcome is null ? null : JsonSerializer.Serialize(decision.Outcome, AistoJson.Options),
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<IReadOnlyList<ScalingDecision>> ListAsync(string region, DateTimeOffset since, int max, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        // Newer rows have smaller keys: everything at or after `since` sorts before "{inverted(since)}|\uffff".
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {region} and RowKey lt {Inverted(since) + "|~"}");
        var found = new List<ScalingDecision>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Clamp(max, 1, 1000), cancellationToken: cancellationToken))
        {
            found.Add(new ScalingDecision(
                e.PartitionKey,
                e.GetString("PoolId") ?? "",
                e.GetString("GpuModel") ?? "",
                e.GetDateTimeOffset("AsOf") ?? DateTimeOffset.MinValue,
                JsonSerializer.Deserialize<DemandForecast>(e.GetString("Forecast") ?? "null", AistoJson.Options)!,
                JsonSerializer.Deserialize<ScalePlan>(e.GetString("Plan") ?? "null", AistoJson.Options)!,
                e.GetString("Outcome") is { } outcome ? JsonSerializer.Deserialize<ScaleOutcome>(outcome, AistoJson.Options) : null));
            if (found.Count >= max)
            {
                break;
            }
        }

        return found;
    }

    public async Task<int> DeleteOlderAsync(string region, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {region} and RowKey gt {Inverted(before) + "|~"}");
        var keys = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(row.RowKey);
        }

        foreach (var key in keys)
        {
            try
            {
                await table.DeleteEntityAsync(region, key, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone.
            }
        }

        return keys.Count;
    }

    private static string Inverted(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
