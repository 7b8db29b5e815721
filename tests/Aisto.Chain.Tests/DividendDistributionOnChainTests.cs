using System.Numerics;
using Aisto.Domain.Payouts;
using Aisto.Infrastructure.Chain;
using Xunit.Abstractions;

namespace Aisto.Chain.Tests;

[Collection(HardhatCollection.Name)]
public sealed class DividendDistributionOnChainTests(HardhatFixture chain, ITestOutputHelper output)
{
    private const string Alice = "0x1000000000000000000000000000000000000a11";
    private const string Bob = "0x2000000000000000000000000000000000000b0b";
    private const string Carol = "0x3000000000000000000000000000000000000ca1";
    private const string Treasury = "0x4000000000000000000000000000000000007ea5";

    [Fact]
    public async Task Holders_claim_with_proofs_and_their_balances_rise_by_exactly_their_amounts()
    {
        // Arrange: three holders 5:3:2, Carol is not on the allowlist.
        var test = await chain.DeployAsync();
        var gateway = test.Gateway;
        await gateway.MintRewardAsync(Alice, 500);
        await gateway.MintRewardAsync(Bob, 300);
        await gateway.MintRewardAsync(Carol, 200);
        var snapshotBlock = await gateway.GetBlockNumberAsync();
        var holders = await gateway.SnapshotHoldersAsync(snapshotBlock);
        var distribution = DividendCalculator.Distribute(1_000_001, holders, allowlist: [Alice, Bob]);
        var tree = MerkleTree.Build(distribution.Allocations);

        // Act
        var published = await gateway.PublishEpochAsync(7, tree.Root, distribution.Paid);
        var receipts = new List<ChainTransaction>();
        foreach (var account in new[] { Alice, Bob })
        {
            Assert.True(tree.TryGetProof(account, out var index, out var allocation, out var proof));
            var before = await gateway.GetPayoutBalanceAsync(account);
            receipts.Add(await gateway.ClaimAsync(7, index, allocation, proof));
            Assert.Equal(before + allocation.Amount, await gateway.GetPayoutBalanceAsync(account));
        }

        // Assert
        Assert.Equal([(Alice, new BigInteger(500)), (Bob, new BigInteger(300)), (Carol, new BigInteger(200))], holders.Select(h => (h.Account, h.Balance)));
        Assert.Equal([500_001, 300_000], distribution.Allocations.Select(a => (long)a.Amount));
        Assert.Equal(200_000, distribution.RolledOver);
        Assert.Equal(tree.Root, published.MerkleRoot);
        Assert.Equal(BigInteger.Zero, (await gateway.FindPublishedEpochAsync(7))!.Unclaimed);
        Assert.True(await gateway.IsClaimedAsync(7, 0));
        Assert.True(await gateway.IsClaimedAsync(7, 1));
        output.WriteLine($"publish gas {published.Transaction.GasUsed}; claim gas {string.Join(", ", receipts.Select(r => r.GasUsed))}");
        Assert.InRange(published.Transaction.GasUsed, 1, 100_000);
        Assert.All(receipts, r => Assert.InRange(r.GasUsed, 1, 90_000));
    }

    [Fact]
    public async Task A_second_claim_reverts_with_AlreadyClaimed()
    {
        var test = await chain.DeployAsync();
        var (tree, _) = await PublishAsync(test, epoch: 1, (Alice, 10), (Bob, 20));
        tree.TryGetProof(Alice, out var index, out var allocation, out var proof);
        await test.Gateway.ClaimAsync(1, index, allocation, proof);

        var error = await Assert.ThrowsAsync<ContractRevertedException>(() => test.Gateway.ClaimAsync(1, index, allocation, proof));

        Assert.Equal("AlreadyClaimed", error.ErrorName);
        Assert.Contains("AlreadyClaimed(epoch: 1, index: 0)", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(10, await test.Gateway.GetPayoutBalanceAsync(Alice));
    }

    [Fact]
    public async Task A_claim_for_more_than_the_allocation_or_under_another_index_reverts_with_InvalidProof()
    {
        var test = await chain.DeployAsync();
        var (tree, _) = await PublishAsync(test, epoch: 1, (Alice, 10), (Bob, 20));
        tree.TryGetProof(Alice, out var index, out var allocation, out var proof);

        var more = await Assert.ThrowsAsync<ContractRevertedException>(() => test.Gateway.ClaimAsync(1, index, allocation with { Amount = 11 }, proof));
        var otherIndex = await Assert.ThrowsAsync<ContractRevertedException>(() => test.Gateway.ClaimAsync(1, index + 1, allocation, proof));

        Assert.Equal("InvalidProof", more.ErrorName);
        Assert.Equal("InvalidProof", otherIndex.ErrorName);
    }

    [Fact]
    public async Task A_second_root_for_an_epoch_reverts_with_EpochAlreadyPublished()
    {
        var test = await chain.DeployAsync();
        await PublishAsync(test, epoch: 3, (Alice, 10));
        var otherRoot = MerkleTree.Build([new(Bob, 99)]).Root;
        var distributor = test.Operator.Web3.Eth.GetContract(test.Connection.Artifacts.Distributor.Abi, test.Connection.Contracts.Distributor);
        var data = distributor.GetFunction("publish").GetData(new BigInteger(3), Convert.FromHexString(otherRoot[2..]), BigInteger.Zero);

        // Straight to the contract, past the gateway's own check.
        var error = await Assert.ThrowsAsync<ContractRevertedException>(() =>
            test.Operator.SendAsync("Publish epoch 3 again", distributor.Address, data, new RevertDecoder(test.Connection.Artifacts.Artifacts.Values)));

        Assert.Equal("EpochAlreadyPublished", error.ErrorName);
    }

    [Fact]
    public async Task Publishing_an_epoch_again_returns_the_first_publication_or_refuses_another_root()
    {
        var test = await chain.DeployAsync();
        var (tree, first) = await PublishAsync(test, epoch: 4, (Alice, 10), (Bob, 5));

        var again = await test.Gateway.PublishEpochAsync(4, tree.Root, 15);

        Assert.Equal(first.Transaction.TransactionHash, again.Transaction.TransactionHash);
        Assert.Equal(15 + 1, await test.Gateway.GetPayoutBalanceAsync(test.Connection.Contracts.Distributor)); // + the seed unit
        await Assert.ThrowsAsync<InvalidOperationException>(() => test.Gateway.PublishEpochAsync(4, MerkleTree.Build([new(Carol, 1)]).Root, 1));
    }

    [Fact]
    public async Task Unclaimed_funds_are_swept_back_only_after_the_claim_window()
    {
        var test = await chain.DeployAsync(o => o.DevChainClaimWindow = TimeSpan.FromHours(1));
        var (tree, _) = await PublishAsync(test, epoch: 5, (Alice, 10), (Bob, 20));
        tree.TryGetProof(Alice, out var aliceIndex, out var alice, out var aliceProof);
        tree.TryGetProof(Bob, out var bobIndex, out var bob, out var bobProof);
        await test.Gateway.ClaimAsync(5, aliceIndex, alice, aliceProof);
        var early = await Assert.ThrowsAsync<ContractRevertedException>(() => test.Gateway.SweepEpochAsync(5, Treasury));

        await chain.AdvanceTimeAsync(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var late = await Assert.ThrowsAsync<ContractRevertedException>(() => test.Gateway.ClaimAsync(5, bobIndex, bob, bobProof));
        await test.Gateway.SweepEpochAsync(5, Treasury);

        Assert.Equal("ClaimWindowOpen", early.ErrorName);
        Assert.Equal("ClaimWindowClosed", late.ErrorName);
        Assert.Equal(20, await test.Gateway.GetPayoutBalanceAsync(Treasury));
        Assert.Equal(BigInteger.Zero, (await test.Gateway.FindPublishedEpochAsync(5))!.Unclaimed);
    }

    [Fact]
    public async Task Minting_without_the_minter_role_reverts_with_the_OpenZeppelin_error_decoded()
    {
        var test = await chain.DeployAsync();
        var stranger = ChainTransactionSender.For(test.Connection.RpcUrl, HardhatDevAccounts.Account2Key, HardhatNode.ChainId);
        var token = stranger.Web3.Eth.GetContract(test.Connection.Artifacts.AistoToken.Abi, test.Connection.Contracts.AistoToken);

        var error = await Assert.ThrowsAsync<ContractRevertedException>(() => stranger.SendAsync(
            "Mint as a stranger", token.Address, token.GetFunction("mint").GetData(stranger.Address, BigInteger.One), new RevertDecoder(test.Connection.Artifacts.Artifacts.Values)));

        Assert.Equal("AccessControlUnauthorizedAccount", error.ErrorName);
    }

    private static async Task<(MerkleTree Tree, PublishedEpoch Published)> PublishAsync(TestChain test, long epoch, params (string Account, long Amount)[] allocations)
    {
        var tree = MerkleTree.Build(allocations.Select(a => new DividendAllocation(a.Account, a.Amount)).ToList());
        var published = await test.Gateway.PublishEpochAsync(epoch, tree.Root, allocations.Sum(a => a.Amount));
        return (tree, published);
    }
}
