using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Aisto.Domain.Payouts;
using CsCheck;
using static Aisto.Domain.Tests.Payouts.PayoutBuilders;

namespace Aisto.Domain.Tests.Payouts;

public sealed class MerkleTreeTests
{
    private static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;

    [Fact]
    public async Task Root_tree_and_proofs_are_identical_to_openzeppelin_merkle_tree_for_random_allocation_sets()
    {
        // Arrange: sizes that exercise every shape (1 leaf, odd/even, powers of two ± 1), random accounts and amounts.
        var random = new Random(20261125);
        var sizes = new[] { 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 64, 100, 257 }.Concat(Enumerable.Range(0, 15).Select(_ => random.Next(1, 200)));
        var sets = sizes.Select(size => RandomAllocations(random, size)).ToList();
        var request = JsonSerializer.Serialize(new
        {
            sets = sets.Select(set => set.Select(a => new[] { a.Account, a.Amount.ToString(CultureInfo.InvariantCulture) })),
        });

        // Act
        var reference = JsonDocument.Parse(await RepositoryRoot.RunNodeAsync("tests/Aisto.Domain.Tests/Payouts/oz-merkle.mjs", request));
        var ours = sets.Select(MerkleTree.Build).ToList();

        // Assert
        var results = reference.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(sets.Count, results.Count);
        for (var s = 0; s < sets.Count; s++)
        {
            Assert.Equal(results[s].GetProperty("root").GetString(), ours[s].Root);
            Assert.Equal(results[s].GetProperty("tree").EnumerateArray().Select(n => n.GetString()), ours[s].GetNodes());
            var proofs = results[s].GetProperty("proofs").EnumerateArray().ToList();
            for (var i = 0; i < sets[s].Count; i++)
            {
                Assert.Equal(proofs[i].EnumerateArray().Select(p => p.GetString()), ours[s].GetProof(i));
            }
        }
    }

    [Fact]
    public void Every_allocation_proves_against_the_root_and_a_changed_amount_or_index_does_not()
    {
        Holders.Sample(holders =>
        {
            var allocations = holders.Select(h => new DividendAllocation(h.Account, h.Balance)).ToList();

            var tree = MerkleTree.Build(allocations);

            return allocations.Select((a, i) => (a, i, proof: tree.GetProof(i))).All(x =>
                MerkleTree.Verify(tree.Root, x.i, x.a.Account, x.a.Amount, x.proof)
                && !MerkleTree.Verify(tree.Root, x.i, x.a.Account, x.a.Amount + 1, x.proof)
                && (allocations.Count == 1 || !MerkleTree.Verify(tree.Root, (x.i + 1) % allocations.Count, x.a.Account, x.a.Amount, x.proof)));
        });
    }

    [Fact]
    public void A_proof_is_found_by_account_in_any_spelling()
    {
        var tree = MerkleTree.Build([new(Account(10), 5), new(Account(11), 6), new(Account(12), 7)]);

        var found = tree.TryGetProof(Account(11).ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal), out var index, out var allocation, out var proof);

        Assert.True(found);
        Assert.Equal(1, index);
        Assert.Equal(6, allocation.Amount);
        Assert.True(MerkleTree.Verify(tree.Root, index, Account(11), 6, proof));
        Assert.False(tree.TryGetProof(Account(99), out _, out _));
    }

    [Fact]
    public void A_single_allocation_is_its_own_root_with_an_empty_proof()
    {
        var tree = MerkleTree.Build([new(Account(1), 1_000)]);

        Assert.Equal(MerkleTree.LeafHashHex(0, Account(1), 1_000), tree.Root);
        Assert.Empty(tree.GetProof(0));
    }

    [Fact]
    public void No_allocations_or_an_account_twice_are_refused()
    {
        Assert.Throws<ArgumentException>(() => MerkleTree.Build([]));
        Assert.Throws<ArgumentException>(() => MerkleTree.Build([new(Account(1), 1), new(Account(1), 2)]));
    }

    private static List<DividendAllocation> RandomAllocations(Random random, int size)
    {
        var accounts = new HashSet<string>();
        while (accounts.Count < size)
        {
            var bytes = new byte[20];
            random.NextBytes(bytes);
            accounts.Add("0x" + Convert.ToHexStringLower(bytes));
        }

        return accounts.Select(account => new DividendAllocation(account, (random.Next(8)) switch
        {
            0 => BigInteger.Zero,
            1 => MaxUint256,
            2 => new BigInteger(random.Next(1, 1000)),
            _ => new BigInteger(random.NextInt64()) * random.NextInt64() + random.Next(),
        })).ToList();
    }
}
