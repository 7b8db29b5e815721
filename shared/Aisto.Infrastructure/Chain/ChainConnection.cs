namespace Aisto.Infrastructure.Chain;

/// <summary>A resolved chain: endpoint, operator key, contract addresses and the artifacts to call them with.</summary>
public sealed record ChainConnection(
    string RpcUrl,
    long ChainId,
    string OperatorPrivateKey,
    DeployedContracts Contracts,
    CompiledContracts Artifacts);

/// <summary>The three contract addresses and the block the AISTO token was deployed in.</summary>
public sealed record DeployedContracts(
    string AistoToken,
    string PayoutToken,
    string Distributor,
    long TokenDeploymentBlock);

/// <summary>Gives the gateway its chain: from configuration, or a dev chain started on first use.</summary>
public interface IChainConnectionSource
{
    Task<ChainConnection> GetConnectionAsync(CancellationToken cancellationToken = default);
}
