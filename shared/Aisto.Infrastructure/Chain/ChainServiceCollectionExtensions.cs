using Aisto.Domain.Payouts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Aisto.Infrastructure.Chain;

/// <summary>Registers the token gateway and its chain (a dev chain or the configured one) from "Aisto:Chain".</summary>
public static class ChainServiceCollectionExtensions
{
    public static IServiceCollection AddTokenGateway(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ChainOptions>().BindConfiguration(ChainOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var mode = configuration.GetSection(ChainOptions.Section).GetValue(nameof(ChainOptions.Mode), ChainMode.DevChain);
        if (mode == ChainMode.DevChain)
        {
            // The container disposes the dev chain on shutdown, which stops the Hardhat node it started.
            services.TryAddSingleton<DevChain>();
            services.TryAddSingleton<IChainConnectionSource>(sp => sp.GetRequiredService<DevChain>());
        }
        else
        {
            services.TryAddSingleton<IChainConnectionSource, ConfiguredChainConnectionSource>();
        }

        services.TryAddSingleton<ITokenGateway, NethereumTokenGateway>();
        return services;
    }
}
