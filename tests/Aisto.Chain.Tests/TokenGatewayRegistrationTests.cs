using Aisto.Domain.Payouts;
using Aisto.Infrastructure.Chain;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Aisto.Chain.Tests;

[Collection(HardhatCollection.Name)]
public sealed class TokenGatewayRegistrationTests(HardhatFixture chain)
{
    [Fact]
    public async Task External_mode_talks_to_the_configured_chain_contracts_and_key()
    {
        // Arrange: contracts deployed elsewhere, known to the app only through configuration.
        var deployed = await chain.DeployAsync();
        var contracts = deployed.Connection.Contracts;
        await using var services = Services(new()
        {
            ["Aisto:Chain:Mode"] = "External",
            ["Aisto:Chain:RpcUrl"] = chain.Node.RpcUrl,
            ["Aisto:Chain:ChainId"] = "31337",
            ["Aisto:Chain:OperatorPrivateKey"] = HardhatDevAccounts.Account0Key,
            ["Aisto:Chain:AistoTokenAddress"] = contracts.AistoToken,
            ["Aisto:Chain:PayoutTokenAddress"] = contracts.PayoutToken,
            ["Aisto:Chain:DistributorAddress"] = contracts.Distributor,
            ["Aisto:Chain:TokenDeploymentBlock"] = contracts.TokenDeploymentBlock.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Aisto:Chain:ArtifactsDirectory"] = Path.Combine(chain.Workspace.ContractsDirectory, "build"),
        });
        var gateway = services.GetRequiredService<ITokenGateway>();
        const string holder = "0x5000000000000000000000000000000000000005";

        // Act
        await gateway.MintRewardAsync(holder, 42);
        var holders = await gateway.SnapshotHoldersAsync(await gateway.GetBlockNumberAsync());

        // Assert
        Assert.Equal([new HolderBalance(holder, 42)], holders);
        Assert.Equal(new PayoutTokenInfo(contracts.PayoutToken, 6), await gateway.GetPayoutTokenAsync());
    }

    [Fact]
    public async Task External_mode_without_an_rpc_url_names_the_missing_setting()
    {
        await using var services = Services(new() { ["Aisto:Chain:Mode"] = "External" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => services.GetRequiredService<ITokenGateway>().GetBlockNumberAsync());

        Assert.Contains("Aisto:Chain:RpcUrl", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddTokenGateway(configuration).BuildServiceProvider();
    }
}
