using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Aisto.Domain.Payouts;
using Aisto.Infrastructure.Json;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Payouts;
using Azure;
using Azure.Data.Tables;

namespace Aisto.Infrastructure.Payouts;

/// <summary>
/// Payout epochs in table <c>payoutepochs</c> (PK epoch, RK "epoch"; the record as JSON plus its status) and claims
/// in <c>payoutclaims</c> (PK epoch, RK account; amount, leaf index, proof), written in batches of 100.
/// </summary>
public sealed class TablePayoutStore(AistoTables tables) : IPayoutStore
{
    private const string EpochTable = "payoutepochs";
    private const string ClaimTable = "payoutclaims";
    private const string EpochRow = "epoch";
    private const int BatchSize = 100;

    public async Task<PayoutEpochRecord?> GetAsync(long epoch, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(EpochTable, cancellationToken);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(epoch), EpochRow, cancellationToken: cancellationToken);
        return entity.HasValue ? Read(entity.Value!) : null;
    }

    public async Task<IReadOnlyList<PayoutEpochRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(EpochTable, cancellationToken);
        var records = new List<PayoutEpochRecord>();
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.RowKey == EpochRow, cancellationToken: cancellationToken))
        {
            records.Add(Read(entity));
        }

        return [.. records.OrderByDescending(r => r.Epoch)];
    }

    public async Task SaveAsync(PayoutEpochRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var table = await tables.GetAsync(EpochTable, cancellationToken);
        await table.UpsertEntityAsync(Write(record), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<bool> TryCreateAsync(PayoutEpochRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var table = await tables.GetAsync(EpochTable, cancellationToken);
        try
        {
            await table.AddEntityAsync(Write(record), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task SaveClaimsAsync(long epoch, IReadOnlyList<EpochClaim> claims, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var table = await tables.GetAsync(ClaimTable, cancellationToken);
        foreach (var batch in claims.Chunk(BatchSize))
        {
            var actions = batch.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(PartitionOf(epoch), c.Account)
            {
                ["Amount"] = c.Amount,
                ["Index"] = c.Index,
                ["Proof"] = string.Join(',', c.Proof),
            }));
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
    }

    public async Task<EpochClaim?> GetClaimAsync(long epoch, string account, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ClaimTable, cancellationToken);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(epoch), EthereumAddress.Normalize(account), cancellationToken: cancellationToken);
        return entity.HasValue ? ReadClaim(entity.Value!) : null;
    }

    public async Task<IReadOnlyList<EpochClaim>> ListClaimsAsync(long epoch, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ClaimTable, cancellationToken);
        var claims = new List<EpochClaim>();
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == PartitionOf(epoch), cancellationToken: cancellationToken))
        {
            claims.Add(ReadClaim(entity));
        }

        return [.. claims.OrderBy(c => c.Index)];
    }

    public async Task<BigInteger> TakeRolloversAsync(long epoch, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(EpochTable, cancellationToken);
        var total = BigInteger.Zero;
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.RowKey == EpochRow, cancellationToken: cancellationToken))
        {
            var record = Read(entity);
            if (record.Epoch >= epoch || record.Status != PayoutEpochStatus.Completed || record.RolledOver is null ||
                BigInteger.Parse(record.RolledOver, CultureInfo.InvariantCulture).IsZero ||
                (record.RolledOverInto is { } into && into != epoch))
            {
                continue;
            }

            if (record.RolledOverInto is null)
            {
                // ETag-guarded: two epochs can never both take the same roll-over.
                var taken = Write(record with { RolledOverInto = epoch });
                try
                {
                    await table.UpdateEntityAsync(taken, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                    var again = await GetAsync(record.Epoch, cancellationToken);
                    if (again?.RolledOverInto != epoch)
                    {
                        continue;
                    }
                }
            }

            total += BigInteger.Parse(record.RolledOver, CultureInfo.InvariantCulture);
        }

        return total;
    }

    private static string PartitionOf(long epoch) => epoch.ToString("D10", CultureInfo.InvariantCulture);

    private static TableEntity Write(PayoutEpochRecord record) => new(PartitionOf(record.Epoch), EpochRow)
    {
        ["Status"] = record.Status.ToString(),
        ["Record"] = JsonSerializer.Serialize(record, AistoJson.Options),
    };

    private static PayoutEpochRecord Read(TableEntity entity) =>
        JsonSerializer.Deserialize<PayoutEpochRecord>(entity.GetString("Record"), AistoJson.Options)
        ?? throw new InvalidDataException($"Payout epoch row {entity.PartitionKey} is empty.");

    private static EpochClaim ReadClaim(TableEntity entity) => new(
        long.Parse(entity.PartitionKey, CultureInfo.InvariantCulture),
        entity.RowKey,
        entity.GetString("Amount"),
        entity.GetInt32("Index") ?? 0,
        entity.GetString("Proof") is { Length: > 0 } proof ? proof.Split(',') : []);
}
