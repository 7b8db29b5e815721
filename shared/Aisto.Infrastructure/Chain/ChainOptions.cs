using System.ComponentModel.DataAnnotations;

namespace Aisto.Infrastructure.Chain;

/// <summary>Where the token contracts live and which key operates them (configuration section "Aisto:Chain").</summary>
/// <remarks>
/// <see cref="ChainMode.DevChain"/> (local runs): a Hardhat node is started as a child process and the contracts
/// are deployed on it when not yet deployed; the addresses are kept in <see cref="DevChainStateFile"/>.
/// <see cref="ChainMode.External"/> (production): <see cref="RpcUrl"/>, the three addresses and
/// <see cref="OperatorPrivateKey"/> come from configuration, the key from Key Vault
/// (e.g. a Key Vault reference in the app setting <c>Aisto__Chain__OperatorPrivateKey</c>).
/// </remarks>
public sealed class ChainOptions
{
    public const string Section = "Aisto:Chain";

    public ChainMode Mode { get; set; } = ChainMode.DevChain;

    [Url]
    public string? RpcUrl { get; set; }

    public long ChainId { get; set; } = HardhatNode.ChainId;

    /// <summary>The operator's key (publishes, mints, sweeps). Defaults to Hardhat's public account #0 on the dev chain.</summary>
    public string? OperatorPrivateKey { get; set; }

    public string? AistoTokenAddress { get; set; }

    public string? PayoutTokenAddress { get; set; }

    public string? DistributorAddress { get; set; }

    /// <summary>The block the AISTO token was deployed in: holder snapshots scan Transfer events from here.</summary>
    [Range(0, long.MaxValue)]
    public long TokenDeploymentBlock { get; set; }

    /// <summary>Blocks per eth_getLogs request (public RPC providers cap the range).</summary>
    [Range(1, 1_000_000)]
    public int LogPageSize { get; set; } = 2_000;

    /// <summary>How long a sent transaction may wait for its receipt before the payout step fails (and is retried).</summary>
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Longest wait for one JSON-RPC call (reads, sends, receipt polls). Nethereum keeps this process-wide
    /// (<c>ClientBase.ConnectionTimeout</c>); the gateway sets it from here.
    /// </summary>
    public TimeSpan RpcTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Mint the payout token (DevStablecoin) to the operator when it holds less than an epoch's pool. Unset means on
    /// for the dev chain and off otherwise (a real stablecoin cannot be minted; the treasury funds the operator).
    /// </summary>
    public bool? MintPayoutShortfall { get; set; }

    /// <summary>Dev chain: the port of the Hardhat node (0 picks a free one).</summary>
    [Range(0, 65535)]
    public int DevChainPort { get; set; } = 8545;

    /// <summary>Dev chain: where the deployed addresses are recorded (relative to the repository root).</summary>
    public string DevChainStateFile { get; set; } = Path.Combine(".aisto", "chain.json");

    /// <summary>Dev chain: how long a published epoch stays claimable before it can be swept.</summary>
    public TimeSpan DevChainClaimWindow { get; set; } = TimeSpan.FromDays(90);

    /// <summary>A folder of compiled artifacts to use as is (a published app without Node.js); null compiles from the checkout.</summary>
    public string? ArtifactsDirectory { get; set; }
}

/// <summary>Whether the platform runs its own dev chain or talks to a configured one.</summary>
public enum ChainMode
{
    DevChain,
    External,
}
