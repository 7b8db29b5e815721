using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Chain;

/// <summary>
/// Standalone runtime: brings the dev chain up (Hardhat child process, contracts deployed unless already there) in
/// the background as the app starts, so serving does not wait for it and the first payout does not either. Does
/// nothing when the chain is external.
/// </summary>
public sealed class DevChainWarmup(IServiceProvider services, IOptions<ChainOptions> options, ILogger<DevChainWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Mode != ChainMode.DevChain)
        {
            return;
        }

        try
        {
            var chain = (DevChain)services.GetService(typeof(DevChain))!;
            var connection = await chain.GetConnectionAsync(stoppingToken);
            logger.LogInformation(
                "Dev chain ready at {RpcUrl}: AistoToken {Token}, payout token {Payout}, distributor {Distributor}",
                connection.RpcUrl, connection.Contracts.AistoToken, connection.Contracts.PayoutToken, connection.Contracts.Distributor);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The first payout retries the start; the app keeps serving leases meanwhile.
            logger.LogError(e, "The dev chain did not start");
        }
    }
}
