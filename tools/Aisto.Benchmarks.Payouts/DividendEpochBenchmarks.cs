using System.Numerics;
using Aisto.Domain.Payouts;
using BenchmarkDotNet.Attributes;

namespace Aisto.Benchmarks.Payouts;

/// <summary>
/// The compute part of a dividend epoch at scale: split a pool among N holders (largest remainder, 2 % of holders
/// off the allowlist) and build the Merkle tree; and the same plus every holder's proof, as the epoch report stores them.
/// </summary>
[MemoryDiagnoser]
public class DividendEpochBenchmarks
{
    private HolderBalance[] _holders = [];
    private string[] _allowlist = [];
    private BigInteger _pool;

    [Params(100_000)]
    public int Holders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var address = new byte[20];
        _holders = new HolderBalance[Holders];
        for (var i = 0; i < Holders; i++)
        {
            random.NextBytes(address);
            // Balances from dust to whales: 18-decimal token amounts up to ~10^24.
            var balance = new BigInteger(random.NextInt64(1, long.MaxValue)) * random.Next(1, 100_000);
            _holders[i] = new HolderBalance("0x" + Convert.ToHexStringLower(address), balance);
        }

        // As the gateway returns a snapshot: ordered by account.
        Array.Sort(_holders, (a, b) => string.CompareOrdinal(a.Account, b.Account));
        _allowlist = _holders.Where((_, i) => i % 50 != 0).Select(h => h.Account).ToArray();
        _pool = BigInteger.Parse("12345678901234", System.Globalization.CultureInfo.InvariantCulture); // ~12.3M USD in 6-decimal base units
    }

    [Benchmark(Baseline = true)]
    public string AllocateAndBuildTree()
    {
        var distribution = DividendCalculator.Distribute(_pool, _holders, _allowlist);
        return MerkleTree.Build(distribution.Allocations).Root;
    }

    [Benchmark]
    public int AllocateBuildTreeAndEveryProof()
    {
        var distribution = DividendCalculator.Distribute(_pool, _holders, _allowlist);
        var tree = MerkleTree.Build(distribution.Allocations);
        var total = 0;
        for (var i = 0; i < tree.Values.Count; i++)
        {
            total += tree.GetProof(i).Count;
        }

        return total;
    }
}
