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
}
