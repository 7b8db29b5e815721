using System.Globalization;
using Aisto.Infrastructure.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Bench;

/// <summary>
/// A benchmark's own Azurite: in memory, on free ports, so nothing else's traffic competes with it, a data folder
/// grown by earlier runs cannot slow it, and its CPU time can be charged to what the benchmark measures.
/// </summary>
public sealed class BenchStorage : IAsyncDisposable
{
    private readonly ChildProcess azurite;

    private BenchStorage(ChildProcess azurite, string connectionString)
    {
        this.azurite = azurite;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>User + system CPU time Azurite has used so far.</summary>
    public TimeSpan CpuTime => ProcessCpu.Of(azurite.Id);

    public static async Task<BenchStorage> StartAsync()
    {
        var (blob, queue, table) = (ChildProcess.FreePort(), ChildProcess.FreePort(), ChildProcess.FreePort());
        var connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
        var azurite = await LocalStorageEmulator.EnsureRunningAsync(
            connection, RepositoryRoot.Find() ?? Directory.GetCurrentDirectory(), NullLogger.Instance, persistent: false)
            ?? throw new InvalidOperationException("Could not start Azurite.");
        return new BenchStorage(azurite, connection);
    }

    public ValueTask DisposeAsync() => azurite.DisposeAsync();
}

/// <summary>CPU time of processes, for per-item CPU figures that hold even on a busy machine.</summary>
public static class ProcessCpu
{
    /// <summary>User + system CPU time of a process (Linux /proc; zero elsewhere).</summary>
    public static TimeSpan Of(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return TimeSpan.Zero;
        }

        // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
        var text = File.ReadAllText(stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    public static TimeSpan OfThisProcess() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

    public static string? LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null;
}
