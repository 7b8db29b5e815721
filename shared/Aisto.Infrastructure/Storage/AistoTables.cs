using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Storage;

/// <summary>Hands out table clients by logical name, creating each table once per process.</summary>
public sealed class AistoTables(IOptions<StorageOptions> options)
{
    private readonly TableServiceClient service = CreateService(options.Value.ConnectionString);
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> tables = new(StringComparer.Ordinal);

    /// <summary>
    /// A connection string (Azurite, keys) or, in Azure where shared keys are off, the table endpoint URL — then the
    /// app's managed identity (DefaultAzureCredential, AZURE_CLIENT_ID) signs the requests.
    /// </summary>
    public static TableServiceClient CreateService(string connectionStringOrEndpoint) =>
        connectionStringOrEndpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? new TableServiceClient(new Uri(connectionStringOrEndpoint), new DefaultAzureCredential(), ClientOptions())
            : new TableServiceClient(connectionStringOrEndpoint, ClientOptions());

    /// <summary>Few, quick retries: a caller waiting on storage should hear about an outage in seconds.</summary>
    public static TableClientOptions ClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }

    public Task<TableClient> GetAsync(string logicalName, CancellationToken cancellationToken = default) =>
        tables.GetOrAdd(logicalName, name => new Lazy<Task<TableClient>>(async () =>
        {
            var client = service.GetTableClient(options.Value.TablePrefix + name);
            await client.CreateIfNotExistsAsync(cancellationToken);
            return client;
        })).Value;
}
