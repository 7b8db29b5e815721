using System.Text;
using System.Text.Json;
using Aisto.Infrastructure.Storage;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Queues;

/// <summary>
/// Storage queue clients for AISTO's queues (Azurite locally, the account's queue endpoint with the managed identity
/// in Azure), and the poison queue convention of the Functions host: <c>&lt;queue&gt;-poison</c>. Messages are written
/// base64-encoded, as the queue trigger reads them by default.
/// </summary>
public sealed class StorageQueues(IOptions<StorageOptions> options)
{
    public const string PoisonSuffix = "-poison";

    private readonly QueueServiceClient service = options.Value.QueueServiceUri.Length > 0
        ? new QueueServiceClient(new Uri(options.Value.QueueServiceUri), new DefaultAzureCredential(), ClientOptions(options.Value))
        : new QueueServiceClient(options.Value.ConnectionString, ClientOptions(options.Value));

    /// <summary>
    /// No client-side encoding: callers decide (the trigger service must see bodies that are not base64). Timeouts
    /// and retries as for tables (Aisto:Storage).
    /// </summary>
    public static QueueClientOptions ClientOptions(StorageOptions? timeouts = null) =>
        (timeouts ?? new StorageOptions()).Apply(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

    public QueueClient Get(string queueName) => service.GetQueueClient(queueName);

    /// <summary>Puts a message that cannot be processed on <c>&lt;queue&gt;-poison</c>, wrapped with the reason.</summary>
    public async Task PoisonAsync(string queueName, string body, string reason, long dequeueCount, CancellationToken cancellationToken)
    {
        var poison = Get(queueName + PoisonSuffix);
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var envelope = JsonSerializer.Serialize(new PoisonMessage(reason, queueName, dequeueCount, DateTimeOffset.UtcNow, body), Json.AistoJson.Options);
        await poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(envelope)), cancellationToken);
    }
}

/// <summary>What a poison queue holds: why the message was set aside, from where, and the message itself.</summary>
public sealed record PoisonMessage(string Reason, string Queue, long DequeueCount, DateTimeOffset PoisonedAt, string Message);
