using Aisto.Domain.Payouts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Chain;

/// <summary>Registers the token gateway and its chain (a dev chain or the configured one) from "Aisto:Chain".</summary>
public static class ChainServiceCollectionExtensions
{
    /// <summary>Kept for callers that hold the configuration; the mode is read from the bound options either way.</summary>
    public static IServiceCollection AddTokenGateway(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddTokenGateway();
    }

    public static IServiceCollection AddTokenGateway(this IServiceCollection services)
    {
        services.AddOptions<ChainOptions>().BindConfiguration(ChainOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.RpcTimeout > TimeSpan.Zero && o.ReceiptTimeout > TimeSpan.Zero, "Aisto:Chain:RpcTimeout and ReceiptTimeout must be positive.")
            .ValidateOnStart();

        // Both sources are registered; the mode picks one when the gateway is first used. The container disposes the
        // dev chain on shutdown (only if it was ever created), which stops the Hardhat node it started.
        services.TryAddSingleton<DevChain>();
        services.TryAddSingleton<ConfiguredChainConnectionSource>();
        services.TryAddSingleton<IChainConnectionSource>(sp =>
            sp.GetRequiredService<IOptions<ChainOptions>>().Value.Mode == ChainMode.DevChain
                ? sp.GetRequiredService<DevChain>()
                : sp.GetRequiredService<ConfiguredChainConnectionSource>());
        services.TryAddSingleton<ITokenGateway, NethereumTokenGateway>();
        return services;
    }
}
