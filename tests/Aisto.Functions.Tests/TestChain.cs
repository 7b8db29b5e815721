using System.Globalization;
using Aisto.Domain.Payouts;
using Aisto.Infrastructure.Chain;
using Aisto.Infrastructure.Runtime;
using Microsoft.Extensions.Options;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Aisto.Functions.Tests;

/// <summary>
/// One Hardhat node for the standalone-runtime test collection (a collection fixture: started on first use, so lease
/// tests never start it, and killed when the collection ends). Each test deploys its own contracts on it through the
/// same DevChain code the app uses, recorded in its own state file; the app under test is pointed at the node's port
/// and that state file, so it attaches and finds the deployment.
/// </summary>
public sealed class TestChain : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private HardhatNode? _node;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    /// <summary>A fresh deployment on the collection's node, and the app settings that make the app use it.</summary>
    public async Task<TestDeployment> DeployAsync()
    {
        var hardhat = await EnsureNodeAsync();
        var stateFile = Path.Combine(Path.GetTempPath(), "aisto-payout-tests-" + Guid.NewGuid().ToString("N") + ".json");
        var options = new ChainOptions { DevChainPort = hardhat.Port, DevChainStateFile = stateFile };
        var devChain = new DevChain(options, NpmWorkspace.Find());
        var connection = await devChain.GetConnectionAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Aisto:Chain:Mode"] = "DevChain",
            ["Aisto:Chain:DevChainPort"] = hardhat.Port.ToString(CultureInfo.InvariantCulture),
            ["Aisto:Chain:DevChainStateFile"] = stateFile,
        };
        return new TestDeployment(connection, settings, Gateway(connection, connection.OperatorPrivateKey));
    }

    /// <summary>A gateway that signs with <paramref name="privateKey"/> (a holder claiming for itself).</summary>
    public static NethereumTokenGateway Gateway(ChainConnection connection, string privateKey) =>
        new(new FixedConnection(connection with { OperatorPrivateKey = privateKey }), Options.Create(new ChainOptions { MintPayoutShortfall = true }));

    private async Task<HardhatNode> EnsureNodeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _node ??= await HardhatNode.StartAsync(NpmWorkspace.Find());
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed class FixedConnection(ChainConnection connection) : IChainConnectionSource
    {
        public Task<ChainConnection> GetConnectionAsync(CancellationToken cancellationToken = default) => Task.FromResult(connection);
    }
}

/// <summary>A deployment under test: its connection, the app settings pointing at it, and an operator gateway.</summary>
public sealed record TestDeployment(ChainConnection Connection, IReadOnlyDictionary<string, string?> Settings, NethereumTokenGateway Operator)
{
    /// <summary>How many EpochPublished events the distributor emitted for <paramref name="epoch"/>, from block 0 to the head.</summary>
    public async Task<int> CountPublishedEventsAsync(long epoch)
    {
        var web3 = new Web3(Connection.RpcUrl);
        var published = web3.Eth.GetContract(Connection.Artifacts.Distributor.Abi, Connection.Contracts.Distributor).GetEvent("EpochPublished");
        var filter = published.CreateFilterInput(
            [new System.Numerics.BigInteger(epoch)], new BlockParameter(new HexBigInteger(0)), BlockParameter.CreateLatest());
        return (await web3.Eth.Filters.GetLogs.SendRequestAsync(filter)).Length;
    }

    /// <summary>Gives an account 1 ETH for gas (Hardhat RPC), so it can send its own claim.</summary>
    public async Task FundGasAsync(string account) =>
        await new Nethereum.JsonRpc.Client.RpcClient(new Uri(Connection.RpcUrl))
            .SendRequestAsync(new Nethereum.JsonRpc.Client.RpcRequest(1, "hardhat_setBalance", account, "0xDE0B6B3A7640000"));

    public Task<System.Numerics.BigInteger> PayoutBalanceAsync(string account) => Operator.GetPayoutBalanceAsync(account);

    public static string AddressOf(string privateKey) => EthereumAddress.Normalize(new Nethereum.Web3.Accounts.Account(privateKey).Address);
}
