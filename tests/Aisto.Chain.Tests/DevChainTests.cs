using System.Diagnostics;
using Aisto.Infrastructure.Chain;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace Aisto.Chain.Tests;

[Collection(HardhatCollection.Name)]
public sealed class DevChainTests(HardhatFixture chain)
{
    [Fact]
    public async Task Contracts_are_deployed_once_and_then_reused_from_the_state_file()
    {
        var test = await chain.DeployAsync();

        var (again, deployed) = await DevChainDeployer.EnsureDeployedAsync(test.Operator, chain.Artifacts, test.StateFile, TimeSpan.FromDays(30));

        Assert.False(deployed);
        Assert.Equal(test.Connection.Contracts, again);
    }

    [Fact]
    public async Task A_dev_chain_starts_hardhat_deploys_and_kills_the_node_on_dispose()
    {
        var stateFile = Path.Combine(Path.GetTempPath(), "aisto-devchain-" + Guid.NewGuid().ToString("N") + ".json");
        var devChain = new DevChain(new ChainOptions { DevChainPort = 0, DevChainStateFile = stateFile }, chain.Workspace);
        int pid;
        try
        {
            var connection = await devChain.GetConnectionAsync();
            pid = devChain.Node!.ProcessId;

            Assert.Equal(31337, (long)(await new Web3(connection.RpcUrl).Eth.ChainId.SendRequestAsync()).Value);
            Assert.True(File.Exists(stateFile));
            Assert.Contains(connection.Contracts.Distributor, await File.ReadAllTextAsync(stateFile), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await devChain.DisposeAsync();
            File.Delete(stateFile);
        }

        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
    }

    [Fact]
    public async Task After_a_failed_send_the_nonce_is_read_again_from_the_chain()
    {
        // Arrange: a fresh key with no ETH; the node refuses its first transaction after the nonce was taken.
        var key = "0x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var address = new Account(key).Address;
        var test = await chain.DeployAsync();
        var sender = ChainTransactionSender.For(test.Connection.RpcUrl, key, HardhatNode.ChainId);
        var token = sender.Web3.Eth.GetContract(test.Connection.Artifacts.AistoToken.Abi, test.Connection.Contracts.AistoToken);
        var approve = token.GetFunction("approve").GetData(address, System.Numerics.BigInteger.One);
        var decoder = new RevertDecoder([test.Connection.Artifacts.AistoToken]);
        await Assert.ThrowsAnyAsync<Exception>(() => sender.SendAsync("Approve without gas money", token.Address, approve, decoder));
        await new RpcClient(new Uri(test.Connection.RpcUrl)).SendRequestAsync(new RpcRequest(1, "hardhat_setBalance", address, "0xDE0B6B3A7640000"));

        // Act: with the nonce still cached at 0 the node (automine) would reject nonce 1.
        var receipt = await sender.SendAsync("Approve with gas money", token.Address, approve, decoder);

        // Assert
        var sent = await sender.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(receipt.TransactionHash);
        Assert.Equal(0, (long)sent.Nonce.Value);
    }
}
