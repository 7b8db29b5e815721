namespace Aisto.Infrastructure.Storage;

/// <summary>Where AISTO keeps its tables and queues (<c>Aisto:Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Aisto:Storage";

    /// <summary>Azure Storage connection string; <c>UseDevelopmentStorage=true</c> is Azurite.</summary>
    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>
    /// Queue endpoint for identity-based access in Azure (<c>https://&lt;account&gt;.queue.core.windows.net/</c>); when
    /// empty, queues use <see cref="ConnectionString"/>.
    /// </summary>
    public string QueueServiceUri { get; set; } = "";

    /// <summary>Prefix of every table name, so environments (and test runs) can share one account.</summary>
    public string TablePrefix { get; set; } = "aisto";

    /// <summary>
    /// Longest wait for one storage request (tables and queues) before it is abandoned and retried; the SDK default is
    /// 100 s, far longer than a caller should wait to hear about an outage.
    /// </summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a failed storage request (exponential back-off from 200 ms); a caller waits at most about
    /// (MaxRetries + 1) × NetworkTimeout plus the back-off.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Applies the timeout and retry settings to an Azure SDK client's options.</summary>
    public T Apply<T>(T clientOptions)
        where T : Azure.Core.ClientOptions
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        clientOptions.Retry.Mode = Azure.Core.RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = MaxRetries;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        clientOptions.Retry.NetworkTimeout = NetworkTimeout;
        return clientOptions;
    }
}
