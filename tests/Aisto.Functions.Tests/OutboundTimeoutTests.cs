using Aisto.Infrastructure.Composition;
using Aisto.Infrastructure.Queues;
using Aisto.Infrastructure.Storage;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Tests;

/// <summary>Storage clients take their per-request timeout and retries from <c>Aisto:Storage</c> (docs/reliability.md §Timeouts).</summary>
public sealed class OutboundTimeoutTests
{
    [Fact]
    public void Table_and_queue_clients_use_the_configured_network_timeout_and_retries()
    {
        var options = Bind(new() { ["Aisto:Storage:NetworkTimeout"] = "00:00:03", ["Aisto:Storage:MaxRetries"] = "1" }).Value;

        var tables = AistoTables.ClientOptions(options);
        var queues = StorageQueues.ClientOptions(options);

        Assert.Equal((TimeSpan.FromSeconds(3), 1), (tables.Retry.NetworkTimeout, tables.Retry.MaxRetries));
        Assert.Equal((TimeSpan.FromSeconds(3), 1), (queues.Retry.NetworkTimeout, queues.Retry.MaxRetries));
        Assert.Equal(QueueMessageEncoding.None, queues.MessageEncoding);
    }

    [Fact]
    public void Without_settings_storage_calls_still_give_up_after_ten_seconds_not_the_SDKs_hundred()
    {
        var options = Bind([]).Value;

        Assert.Equal(TimeSpan.FromSeconds(10), StorageQueues.ClientOptions(options).Retry.NetworkTimeout);
    }

    [Theory]
    [InlineData("00:00:00", "3")]
    [InlineData("00:00:10", "-1")]
    public void A_timeout_that_is_not_positive_or_negative_retries_are_refused_at_start(string timeout, string retries)
    {
        var options = Bind(new() { ["Aisto:Storage:NetworkTimeout"] = timeout, ["Aisto:Storage:MaxRetries"] = retries });

        Assert.Throws<OptionsValidationException>(() => options.Value);
    }

    private static IOptions<StorageOptions> Bind(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddAisto();
        return services.BuildServiceProvider().GetRequiredService<IOptions<StorageOptions>>();
    }
}
