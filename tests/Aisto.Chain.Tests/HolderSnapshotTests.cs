using System.Numerics;
using Aisto.Infrastructure.Chain;
using Nethereum.Web3.Accounts;

namespace Aisto.Chain.Tests;

[Collection(HardhatCollection.Name)]
public sealed class HolderSnapshotTests(HardhatFixture chain)
{
    private const string Bob = "0x2000000000000000000000000000000000000b0b";

    [Fact]
    public async Task A_snapshot_replays_transfers_across_log_pages_up_to_its_block()
    {
        // Arrange: pages of 2 blocks force several eth_getLogs pages; holder #1 mints, then sends some to Bob.
        var test = await chain.DeployAsync(o => o.LogPageSize = 2);
        var holder = new Account(HardhatDevAccounts.Account1Key).Address;
        await test.Gateway.MintRewardAsync(holder, 1_000);
        var beforeTransfer = await test.Gateway.GetBlockNumberAsync();
        var sender = ChainTransactionSender.For(test.Connection.RpcUrl, HardhatDevAccounts.Account1Key, HardhatNode.ChainId);
        var token = sender.Web3.Eth.GetContract(test.Connection.Artifacts.AistoToken.Abi, test.Connection.Contracts.AistoToken);
        await sender.SendAsync("Transfer", token.Address, token.GetFunction("transfer").GetData(Bob, new BigInteger(400)), new RevertDecoder([test.Connection.Artifacts.AistoToken]));
        await test.Gateway.MintRewardAsync(Bob, 1);

        // Act
        var early = await test.Gateway.SnapshotHoldersAsync(beforeTransfer);
        var late = await test.Gateway.SnapshotHoldersAsync(await test.Gateway.GetBlockNumberAsync());

        // Assert
        Assert.Equal([(holder.ToLowerInvariant(), new BigInteger(1_000))], early.Select(h => (h.Account, h.Balance)));
        Assert.Equal(
            new[] { (holder.ToLowerInvariant(), new BigInteger(600)), (Bob, new BigInteger(401)) }.OrderBy(h => h.Item1, StringComparer.Ordinal),
            late.Select(h => (h.Account, h.Balance)));
    }
}
