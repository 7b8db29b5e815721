using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Runtime;

/// <summary>
/// Azurite for local runs: reuses one that already listens on the configured endpoints, otherwise starts
/// <c>node_modules/azurite</c> as a child process with its data in the repo's git-ignored <c>.azurite</c> folder,
/// so a restart keeps all state. Tests and benchmarks start it in memory instead: every run creates tables under a
/// fresh prefix, and Azurite rewrites its whole data file every few seconds, so a folder that collected many runs
/// (160 MB after a day of test runs) slowed every table call of every later run several-fold.
/// </summary>
public static class LocalStorageEmulator
{
    /// <summary>The emulator ports a connection string points at, or null when it is not a loopback emulator.</summary>
    public static (int Blob, int Queue, int Table)? PortsOf(string connectionString)
    {
        if (connectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
        {
            return (10000, 10001, 10002);
        }

        int? Port(string key)
        {
            var part = connectionString.Split(';').FirstOrDefault(p => p.StartsWith(key + "=", StringComparison.OrdinalIgnoreCase));
            return part is not null && Uri.TryCreate(part[(key.Length + 1)..], UriKind.Absolute, out var uri) && uri.IsLoopback ? uri.Port : null;
        }

        return (Port("BlobEndpoint"), Port("QueueEndpoint"), Port("TableEndpoint")) is ({ } b, { } q, { } t) ? (b, q, t) : null;
    }

    /// <summary>
    /// Starts Azurite unless the endpoints already answer; returns the child to stop, or null. Its data goes to
    /// <paramref name="dataDirectory"/> (default: the repo's <c>.azurite</c>), so a second emulator on other ports
    /// (the fault campaign's own) does not share files with the first.
    /// </summary>
    public static async Task<ChildProcess?> EnsureRunningAsync(
        string connectionString, string repoRoot, ILogger logger, bool persistent = true, CancellationToken cancellationToken = default,
        string? dataDirectory = null)
    {
        if (PortsOf(connectionString) is not { } ports)
        {
            return null;
        }

        if (await ChildProcess.IsListeningAsync(ports.Table, cancellationToken) &&
            await ChildProcess.IsListeningAsync(ports.Queue, cancellationToken))
        {
            logger.LogInformation("Using the storage emulator already listening on table port {Port}", ports.Table);
            return null;
        }

        await new NpmWorkspace(repoRoot, logger).EnsureInstalledAsync(cancellationToken);
        var dataDir = dataDirectory ?? Path.Combine(repoRoot, ".azurite");
        if (persistent)
        {
            Directory.CreateDirectory(dataDir);
        }

        logger.LogInformation(
            "Starting Azurite (blob {Blob}, queue {Queue}, table {Table}), data {Where}",
            ports.Blob, ports.Queue, ports.Table, persistent ? "in " + dataDir : "in memory");
        var azurite = ChildProcess.Start(
            "node",
            [
                Path.Combine(repoRoot, "node_modules", "azurite", "dist", "src", "azurite.js"),
                "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
                .. (persistent ? new[] { "--location", dataDir } : ["--inMemoryPersistence"]),
                "--blobHost", "127.0.0.1", "--blobPort", ports.Blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--queueHost", "127.0.0.1", "--queuePort", ports.Queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tableHost", "127.0.0.1", "--tablePort", ports.Table.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ],
            repoRoot,
            logger);
        await azurite.WaitForPortsAsync([ports.Blob, ports.Queue, ports.Table], TimeSpan.FromSeconds(60), cancellationToken);
        return azurite;
    }
}
