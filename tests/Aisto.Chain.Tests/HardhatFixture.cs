using Aisto.Infrastructure.Chain;
using Aisto.Infrastructure.Runtime;
using Microsoft.Extensions.Options;
using Nethereum.JsonRpc.Client;

namespace Aisto.Chain.Tests;

/// <summary>
/// One Hardhat node on a free port for the whole chain test collection (killed on dispose, whatever the tests did);
/// each test deploys its own contracts on it so tests never see each other's holders or epochs.
/// </summary>
public sealed class HardhatFixture : IAsyncLifetime
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "aisto-chain-tests-" + Guid.NewGuid().ToString("N"));
    private HardhatNode? _node;

    public NpmWorkspace Workspace { get; } = NpmWorkspace.Find();

    public HardhatNode Node => _node ?? throw new InvalidOperationException("The Hardhat node did not start.");

    public CompiledContracts Artifacts { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Artifacts = await CompiledContracts.LoadAsync(Workspace);
        _node = await HardhatNode.StartAsync(Workspace);
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    /// <summary>A fresh deployment of the three contracts and a gateway operated by Hardhat account #0.</summary>
    public async Task<TestChain> DeployAsync(Action<ChainOptions>? configure = null)
    {
        var options = new ChainOptions { LogPageSize = 2_000, MintPayoutShortfall = true, DevChainClaimWindow = TimeSpan.FromDays(30) };
        configure?.Invoke(options);
        var sender = ChainTransactionSender.For(Node.RpcUrl, HardhatDevAccounts.Account0Key, HardhatNode.ChainId);
        var stateFile = Path.Combine(_stateDirectory, Guid.NewGuid().ToString("N") + ".json");
        var (contracts, _) = await DevChainDeployer.EnsureDeployedAsync(sender, Artifacts, stateFile, options.DevChainClaimWindow);
        var connection = new ChainConnection(Node.RpcUrl, HardhatNode.ChainId, HardhatDevAccounts.Account0Key, contracts, Artifacts);
        return new TestChain(connection, new NethereumTokenGateway(new FixedConnection(connection), Options.Create(options)), sender, stateFile);
    }

    /// <summary>Moves the chain's clock forward and mines a block (Hardhat RPC).</summary>
    public async Task AdvanceTimeAsync(TimeSpan by)
    {
        var client = new RpcClient(new Uri(Node.RpcUrl));
        await client.SendRequestAsync(new RpcRequest(1, "evm_increaseTime", (long)by.TotalSeconds));
        await client.SendRequestAsync(new RpcRequest(2, "evm_mine"));
    }

    private sealed class FixedConnection(ChainConnection connection) : IChainConnectionSource
    {
        public Task<ChainConnection> GetConnectionAsync(CancellationToken cancellationToken = default) => Task.FromResult(connection);
    }
}

/// <summary>A deployment under test: its addresses, its gateway and the operator's sender.</summary>
public sealed record TestChain(ChainConnection Connection, NethereumTokenGateway Gateway, ChainTransactionSender Operator, string StateFile);

[CollectionDefinition(Name)]
public sealed class HardhatCollection : ICollectionFixture<HardhatFixture>
{
    public const string Name = "hardhat";
}
