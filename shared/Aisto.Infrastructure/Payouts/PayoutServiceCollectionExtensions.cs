using Aisto.Infrastructure.Chain;
using Aisto.Orchestrations.Payouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Aisto.Infrastructure.Payouts;

/// <summary>Registers dividend payouts: options (<c>Aisto:Payouts</c>), the token gateway and its chain, the store, commands.</summary>
public static class PayoutServiceCollectionExtensions
{
    public static IServiceCollection AddPayouts(this IServiceCollection services)
    {
        services.AddOptions<PayoutOptions>().BindConfiguration(PayoutOptions.Section)
            .Validate(o => o.DividendShare is >= 0m and <= 1m, "Aisto:Payouts:DividendShare must be from 0 to 1.")
            .Validate(o => o.UsdPerPayoutToken > 0m, "Aisto:Payouts:UsdPerPayoutToken must be positive.")
            .Validate(o => o.UsdPerRewardToken >= 0m && o.RewardTokenDecimals is >= 0 and <= 28, "Aisto:Payouts:UsdPerRewardToken must not be negative and RewardTokenDecimals must be 0–28.")
            .Validate(
                o => o.InfrastructureCost.DefaultGpuHourUsd >= 0m && o.InfrastructureCost.GpuHourUsd.Values.All(v => v >= 0m) && o.InfrastructureCost.Regions.Values.All(r => r.Values.All(v => v >= 0m)),
                "Aisto:Payouts:InfrastructureCost rates must not be negative.")
            .Validate(o => o.SettlementDelay >= TimeSpan.Zero && o.CatchUpEpochs >= 1, "Aisto:Payouts:SettlementDelay must not be negative and CatchUpEpochs at least 1.")
            .Validate(o => o.AllowlistAccounts()?.All(IsAddress) ?? true, "Aisto:Payouts:Allowlist must be '*' or comma-separated 0x addresses.")
            .ValidateOnStart();
        services.AddTokenGateway();
        services.TryAddSingleton<IPayoutStore, TablePayoutStore>();
        services.TryAddSingleton<EpochDistributionBuilder>();
        services.TryAddSingleton<PayoutCommands>();
        return services;
    }

    private static bool IsAddress(string account)
    {
        try
        {
            Aisto.Domain.Payouts.EthereumAddress.Normalize(account);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
