using Aisto.Domain.Payouts;
using Xunit.Abstractions;

namespace Aisto.Chain.Tests;

[Collection(HardhatCollection.Name)]
public sealed class ClaimGasTests(HardhatFixture chain, ITestOutputHelper output)
{
    [Fact]
    public async Task Claim_gas_with_the_longest_proof_of_a_100000_holder_epoch_for_new_and_returning_holders()
    {
        // Arrange: 100,000 allocations (proofs of 16–17 hashes), published and funded.
        var test = await chain.DeployAsync();
        var allocations = Enumerable.Range(1, 100_000)
            .Select(i => new DividendAllocation("0x" + i.ToString("x40", System.Globalization.CultureInfo.InvariantCulture), 1_000 + i))
            .ToList();
        var tree = MerkleTree.Build(allocations);
        await test.Gateway.PublishEpochAsync(1, tree.Root, allocations.Sum(a => (long)a.Amount));
        var deepest = Enumerable.Range(0, allocations.Count).First(i => tree.GetProof(i).Count == 17);
        var shallow = Enumerable.Range(0, allocations.Count).First(i => tree.GetProof(i).Count == 16);

        // Act: first claims pay accounts that never held the payout token nor claimed (the dearest case: the token
        // creates their balance slot, the distributor their claimed-bitmap word); then the same holder next epoch.
        var deep = await test.Gateway.ClaimAsync(1, allocations[deepest], tree.GetProof(deepest));
        var less = await test.Gateway.ClaimAsync(1, allocations[shallow], tree.GetProof(shallow));
        await test.Gateway.PublishEpochAsync(2, tree.Root, allocations.Sum(a => (long)a.Amount));
        var returning = await test.Gateway.ClaimAsync(2, allocations[deepest], tree.GetProof(deepest));

        // Assert
        output.WriteLine($"claim gas, new holder: proof of 17 → {deep.GasUsed}, proof of 16 → {less.GasUsed}; returning holder, proof of 17 → {returning.GasUsed}");
        Assert.InRange(deep.GasUsed, 1, 101_000);
        Assert.InRange(less.GasUsed, 1, deep.GasUsed);
        Assert.InRange(returning.GasUsed, 1, 70_000);
    }
}
