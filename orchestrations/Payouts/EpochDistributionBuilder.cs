using System.Globalization;
using System.Numerics;
using Aisto.Domain.Payouts;

namespace Aisto.Orchestrations.Payouts;

/// <summary>
/// Builds an epoch's distribution from the chain: holders at the snapshot block → allocations → Merkle tree. The
/// result depends only on (block, pool, allowlist), so any activity can rebuild it; the last one is kept so the
/// activities of one orchestration run in this process do not snapshot twice.
/// </summary>
public sealed class EpochDistributionBuilder(ITokenGateway gateway)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (EpochDistributionInput Key, EpochDistribution Value)? _last;

    public async Task<EpochDistribution> BuildAsync(EpochDistributionInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_last is { } last && Same(last.Key, input))
            {
                return last.Value;
            }

            var holders = await gateway.SnapshotHoldersAsync(input.SnapshotBlock, cancellationToken);
            var pool = BigInteger.Parse(input.Pool, CultureInfo.InvariantCulture);
            var distribution = DividendCalculator.Distribute(pool, holders, input.Allowlist ?? holders.Select(h => h.Account));
            var tree = distribution.Allocations.Count > 0 ? MerkleTree.Build(distribution.Allocations) : null;
            var built = new EpochDistribution(distribution, tree);
            _last = (input, built);
            return built;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool Same(EpochDistributionInput a, EpochDistributionInput b) =>
        a.Epoch == b.Epoch && a.SnapshotBlock == b.SnapshotBlock && a.Pool == b.Pool &&
        (a.Allowlist ?? []).SequenceEqual(b.Allowlist ?? []) && (a.Allowlist is null) == (b.Allowlist is null);
}

/// <summary>A distribution and its Merkle tree (null when nobody is paid).</summary>
public sealed record EpochDistribution(DividendDistribution Distribution, MerkleTree? Tree)
{
    public EpochDistributionSummary Summarize() => new(
        Tree?.Root,
        Distribution.Paid.ToString(CultureInfo.InvariantCulture),
        Distribution.RolledOver.ToString(CultureInfo.InvariantCulture),
        Distribution.HolderCount,
        Distribution.ExcludedHolders,
        Distribution.Allocations.Count);
}
