using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Storage;

/// <summary>Hands out table clients by logical name, creating each table once per process.</summary>
public sealed class AistoTables(IOptions<StorageOptions> options)
{
    private readonly TableServiceClient service = new(options.Value.ConnectionString, ClientOptions());
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> tables = new(StringComparer.Ordinal);

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
