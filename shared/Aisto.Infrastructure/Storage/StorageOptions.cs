namespace Aisto.Infrastructure.Storage;

/// <summary>Where AISTO keeps its tables and queues (<c>Aisto:Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Aisto:Storage";

    /// <summary>Azure Storage connection string; <c>UseDevelopmentStorage=true</c> is Azurite.</summary>
    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>Prefix of every table name, so environments (and test runs) can share one account.</summary>
    public string TablePrefix { get; set; } = "aisto";
}
