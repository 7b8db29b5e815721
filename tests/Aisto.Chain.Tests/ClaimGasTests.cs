using Aisto.Domain.Payouts;
using Xunit.Abstractions;

namespace Aisto.Chain.Tests;

[Collection(HardhatCollection.Name)]
public sealed class ClaimGasTests(HardhatFixture chain, ITestOutputHelper output)
{
    [Fact]
    public async Task Claim_gas_of_a_100000_holder_epoch_for_new_and_returning_holders_read_from_receipts()
    {
        // Arrange: 100,000 allocations (proofs of 16–17 hashes), published and funded; three leaves of one bitmap word.
        var test = await chain.DeployAsync();
        var allocations = Enumerable.Range(1, 100_000)
            .Select(i => new DividendAllocation("0x" + i.ToString("x40", System.Globalization.CultureInfo.InvariantCulture), 1_000 + i))
            .ToList();
        var tree = MerkleTree.Build(allocations);
        var total = allocations.Sum(a => (long)a.Amount);
        await test.Gateway.PublishEpochAsync(1, tree.Root, total);
        var first = Enumerable.Range(0, allocations.Count).First(i => tree.GetProof(i).Count == 17);
        var second = Enumerable.Range(first + 1, 255).First(i => i >> 8 == first >> 8 && tree.GetProof(i).Count == 17);
        var shallow = Enumerable.Range(first & ~0xff, 256).First(i => tree.GetProof(i).Count == 16);

        // Act: accounts that never held the payout token (the token creates their balance slot). The first claim of a
        // 256-leaf word also creates the word; the next ones in it only flip a bit. Then the same holders next epoch.
        var firstInWord = await Claim(test, tree, 1, first);
        var newHolder = await Claim(test, tree, 1, second);
        var newHolderShortProof = await Claim(test, tree, 1, shallow);
        await test.Gateway.PublishEpochAsync(2, tree.Root, total);
        var returningFirstInWord = await Claim(test, tree, 2, first);
        var returning = await Claim(test, tree, 2, second);

        // Assert
        output.WriteLine(
            $"claim gas, new holder: first in its word (proof 17) {firstInWord}; word exists: proof 17 {newHolder}, proof 16 {newHolderShortProof}; " +
            $"returning holder: first in its word (proof 17) {returningFirstInWord}, word exists (proof 17) {returning}");
        Assert.InRange(newHolder, 1, 90_000);
        Assert.InRange(newHolderShortProof, 1, newHolder);
        Assert.InRange(firstInWord, newHolder + 15_000, 101_000);
        Assert.InRange(returning, 1, 70_000);
        Assert.InRange(returningFirstInWord, returning + 15_000, 90_000);
    }

    private static async Task<long> Claim(TestChain test, MerkleTree tree, long epoch, int index) =>
        (await test.Gateway.ClaimAsync(epoch, index, tree.Values[index], tree.GetProof(index))).GasUsed;
}
