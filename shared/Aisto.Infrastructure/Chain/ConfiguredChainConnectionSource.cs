using Aisto.Infrastructure.Runtime;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Chain;

/// <summary>The production chain: everything from <see cref="ChainOptions"/>, nothing started or deployed.</summary>
public sealed class ConfiguredChainConnectionSource(IOptions<ChainOptions> options) : IChainConnectionSource
{
    private readonly Lazy<Task<ChainConnection>> _connection = new(() => ResolveAsync(options.Value));

    public Task<ChainConnection> GetConnectionAsync(CancellationToken cancellationToken = default) => _connection.Value;

    private static async Task<ChainConnection> ResolveAsync(ChainOptions o)
    {
        var artifacts = o.ArtifactsDirectory is { } directory
            ? CompiledContracts.LoadFrom(directory)
            : await CompiledContracts.LoadAsync(NpmWorkspace.Find());
        return new ChainConnection(
            Required(o.RpcUrl, nameof(o.RpcUrl)),
            o.ChainId,
            Required(o.OperatorPrivateKey, nameof(o.OperatorPrivateKey)),
            new DeployedContracts(
                Required(o.AistoTokenAddress, nameof(o.AistoTokenAddress)),
                Required(o.PayoutTokenAddress, nameof(o.PayoutTokenAddress)),
                Required(o.DistributorAddress, nameof(o.DistributorAddress)),
                o.TokenDeploymentBlock),
            artifacts);
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new OptionsValidationException(ChainOptions.Section, typeof(ChainOptions), [$"{ChainOptions.Section}:{name} is required when Mode is External."]) : value;
}
