using System.Text;
using Aisto.Infrastructure.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Chain;

/// <summary>
/// The local chain of the standalone runtime and the tests: on first use compiles the contracts if needed, starts a
/// Hardhat node (or attaches to one already answering on the configured port, e.g. left by a crashed run, so its
/// state survives an app restart), deploys the contracts unless already deployed, and hands out the connection.
/// Disposing it stops the node it started.
/// </summary>
public sealed class DevChain : IChainConnectionSource, IAsyncDisposable
{
    private readonly ChainOptions _options;
    private readonly NpmWorkspace _workspace;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ChainConnection? _connection;
    private HardhatNode? _node;

    public DevChain(IOptions<ChainOptions> options, ILogger<DevChain>? logger = null)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), NpmWorkspace.Find(logger: logger), logger)
    {
    }

    public DevChain(ChainOptions options, NpmWorkspace workspace, ILogger? logger = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _workspace = workspace ?? throw new ArgumentNullException(nameof(workspace));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The node this instance started (null before first use, or when it attached to a running one).</summary>
    public HardhatNode? Node => _node;

    public async Task<ChainConnection> GetConnectionAsync(CancellationToken cancellationToken = default)
    {
        if (_connection is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _connection ??= await StartAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        _gate.Dispose();
    }

    private async Task<ChainConnection> StartAsync(CancellationToken cancellationToken)
    {
        // 1. Artifacts from the sources.
        var artifacts = await CompiledContracts.LoadAsync(_workspace, _logger, cancellationToken);

        // 2. A node: reuse one answering on a fixed port, else start ours.
        string rpcUrl;
        if (_options.DevChainPort != 0 && await AnswersAsChainAsync($"http://127.0.0.1:{_options.DevChainPort}", cancellationToken))
        {
            rpcUrl = $"http://127.0.0.1:{_options.DevChainPort}";
            _logger.LogInformation("Attaching to the dev chain already running at {RpcUrl}", rpcUrl);
        }
        else
        {
            _node = await HardhatNode.StartAsync(_workspace, _options.DevChainPort == 0 ? null : _options.DevChainPort, _logger, cancellationToken);
            rpcUrl = _node.RpcUrl;
        }

        // 3. Contracts, deployed once per chain.
        var key = _options.OperatorPrivateKey ?? HardhatDevAccounts.Account0Key;
        var sender = ChainTransactionSender.For(rpcUrl, key, HardhatNode.ChainId, _logger);
        var stateFile = Path.Combine(_workspace.Root, _options.DevChainStateFile);
        var (contracts, _) = await DevChainDeployer.EnsureDeployedAsync(sender, artifacts, stateFile, _options.DevChainClaimWindow, _logger, cancellationToken);
        return new ChainConnection(rpcUrl, HardhatNode.ChainId, key, contracts, artifacts);
    }

    private static async Task<bool> AnswersAsChainAsync(string rpcUrl, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}""", Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(rpcUrl), content, cancellationToken);
            return (await response.Content.ReadAsStringAsync(cancellationToken)).Contains("\"0x7a69\"", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
