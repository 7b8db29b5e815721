using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Infrastructure.Chain;

/// <summary>
/// Deploys DevStablecoin, AistoToken and DividendDistributor on the dev chain unless the state file names a
/// deployment of the same bytecode that is still there, and records the addresses in the state file.
/// </summary>
public static class DevChainDeployer
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <returns>The deployed contracts and whether they were deployed just now.</returns>
    public static async Task<(DeployedContracts Contracts, bool Deployed)> EnsureDeployedAsync(
        ChainTransactionSender sender,
        CompiledContracts artifacts,
        string stateFile,
        TimeSpan claimWindow,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(artifacts);
        logger ??= NullLogger.Instance;
        var chainId = (long)(await sender.Web3.Eth.ChainId.SendRequestAsync()).Value;

        // 1. Reuse a recorded deployment when it is of this bytecode and still on this chain (a restarted Hardhat
        //    node forgets everything, and would otherwise hand out the same addresses with no code behind them).
        if (File.Exists(stateFile))
        {
            var recorded = JsonSerializer.Deserialize<DevChainState>(await File.ReadAllTextAsync(stateFile, cancellationToken));
            if (recorded is not null && recorded.ChainId == chainId && recorded.Fingerprint == artifacts.Fingerprint
                && await HasCodeAsync(sender, recorded.AistoToken) && await HasCodeAsync(sender, recorded.PayoutToken) && await HasCodeAsync(sender, recorded.Distributor))
            {
                return (new DeployedContracts(recorded.AistoToken, recorded.PayoutToken, recorded.Distributor, recorded.TokenDeploymentBlock), false);
            }
        }

        // 2. Deploy: the payout token, the AISTO token, then the distributor bound to the payout token, and seed it.
        var operatorAddress = sender.Address;
        var payout = await DeployAsync(sender, artifacts.DevStablecoin, cancellationToken, operatorAddress);
        var token = await DeployAsync(sender, artifacts.AistoToken, cancellationToken, operatorAddress);
        var distributor = await DeployAsync(sender, artifacts.Distributor, cancellationToken, payout.Address, operatorAddress, new BigInteger((ulong)claimWindow.TotalSeconds));
        // The distributor keeps one base unit that no epoch owns, so its payout-token balance slot never returns to
        // zero: every publish then updates that slot instead of creating it (~17k gas less per publish).
        var stablecoin = sender.Web3.Eth.GetContract(artifacts.DevStablecoin.Abi, payout.Address);
        await sender.SendAsync("Seed the distributor's balance", payout.Address, stablecoin.GetFunction("mint").GetData(distributor.Address, BigInteger.One), new RevertDecoder([artifacts.DevStablecoin]), cancellationToken);
        var state = new DevChainState(chainId, artifacts.Fingerprint, token.Address, payout.Address, distributor.Address, token.Block, operatorAddress);

        // 3. Record it.
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(stateFile))!);
        await File.WriteAllTextAsync(stateFile, JsonSerializer.Serialize(state, Json), cancellationToken);
        logger.LogInformation(
            "Deployed AistoToken {Token}, DevStablecoin {Payout}, DividendDistributor {Distributor} on chain {ChainId}; recorded in {StateFile}",
            token.Address, payout.Address, distributor.Address, chainId, stateFile);
        return (new DeployedContracts(token.Address, payout.Address, distributor.Address, token.Block), true);
    }

    private static async Task<(string Address, long Block)> DeployAsync(ChainTransactionSender sender, ContractArtifact artifact, CancellationToken cancellationToken, params object[] constructorArguments)
    {
        var data = sender.Web3.Eth.DeployContract.GetData(artifact.Bytecode, artifact.Abi, constructorArguments);
        var receipt = await sender.SendAsync($"Deploy {artifact.ContractName}", to: null, data, new RevertDecoder([artifact]), cancellationToken);
        return (receipt.ContractAddress, (long)receipt.BlockNumber.Value);
    }

    private static async Task<bool> HasCodeAsync(ChainTransactionSender sender, string address)
    {
        var code = await sender.Web3.Eth.GetCode.SendRequestAsync(address);
        return code is { Length: > 2 };
    }

    /// <summary>The state file's content.</summary>
    private sealed record DevChainState(
        long ChainId,
        string Fingerprint,
        string AistoToken,
        string PayoutToken,
        string Distributor,
        long TokenDeploymentBlock,
        string Operator);
}
