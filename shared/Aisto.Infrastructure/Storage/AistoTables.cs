using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Storage;

/// <summary>Hands out table clients by logical name, creating each table once per process.</summary>
public sealed class AistoTables(IOptions<StorageOptions> options)
{
    private readonly TableServiceClient service = CreateService(options.Value.ConnectionString, options.Value);
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> tables = new(StringComparer.Ordinal);

    /// <summary>
    /// A connection string (Azurite, keys) or, in Azure where shared keys are off, the table endpoint URL — then the
    /// app's managed identity (DefaultAzureCredential, AZURE_CLIENT_ID) signs the requests.
    /// </summary>
    public static TableServiceClient CreateService(string connectionStringOrEndpoint, StorageOptions? timeouts = null) =>
        connectionStringOrEndpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? new TableServiceClient(new Uri(connectionStringOrEndpoint), new DefaultAzureCredential(), ClientOptions(timeouts))
            : new TableServiceClient(connectionStringOrEndpoint, ClientOptions(timeouts));

    /// <summary>Few, quick retries: a caller waiting on storage should hear about an outage in seconds (Aisto:Storage).</summary>
    public static TableClientOptions ClientOptions(StorageOptions? timeouts = null) => (timeouts ?? new StorageOptions()).Apply(new TableClientOptions());

    public Task<TableClient> GetAsync(string logicalName, CancellationToken cancellationToken = default) =>
        tables.GetOrAdd(logicalName, name => new Lazy<Task<TableClient>>(async () =>
        {
            var client = service.GetTableClient(options.Value.TablePrefix + name);
            await client.CreateIfNotExistsAsync(cancellationToken);
            return client;
        })).Value;
}
