using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Runtime;

/// <summary>A tool the runtime started (Azurite, Hardhat): logs its output and is killed with its tree on dispose.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ILogger logger;

    private ChildProcess(Process process, ILogger logger)
    {
        this.process = process;
        this.logger = logger;
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public static ChildProcess Start(
        string fileName, IEnumerable<string> arguments, string workingDirectory, ILogger logger, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { logger.LogDebug("{Line}", line); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { logger.LogWarning("{Line}", line); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process, logger);
    }

    /// <summary>True when something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(500));
        try
        {
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits until every port listens, or fails if the process dies or the time runs out.</summary>
    public async Task WaitForPortsAsync(IEnumerable<int> ports, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        foreach (var port in ports)
        {
            while (!await IsListeningAsync(port, cancellationToken))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{process.StartInfo.FileName} exited with code {process.ExitCode} before listening on {port}.");
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{process.StartInfo.FileName} did not listen on port {port} within {timeout}.");
                }

                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>
    /// A free loopback TCP port for a server to listen on, chosen below the kernel's ephemeral range: a port the
    /// kernel hands out (port 0) can be taken by any outgoing connection's local end before the server binds it,
    /// which under a busy test run (thousands of storage connections) does happen. No port is handed out twice by
    /// one process.
    /// </summary>
    public static int FreePort()
    {
        var (low, high) = ListenPortRange();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var candidate = Random.Shared.Next(low, high);
            if (!HandedOut.TryAdd(candidate, 0))
            {
                continue;
            }

            try
            {
                using var probe = new TcpListener(System.Net.IPAddress.Loopback, candidate);
                probe.Start();
                return candidate;
            }
            catch (SocketException)
            {
                // In use: try another.
            }
        }

        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>The ports below the kernel's ephemeral (outgoing) range, from /proc where Linux publishes it.</summary>
    private static (int Low, int High) ListenPortRange()
    {
        var ephemeralLow = 32768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            ephemeralLow = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux: the IANA dynamic range starts at 49152; 32768 is below it and Linux's default.
        }

        var high = Math.Max(ephemeralLow, 12000);
        return (Math.Max(10000, high - 12000), high);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not stop child process {Pid}", process.Id);
        }
        finally
        {
            process.Dispose();
        }
    }
}
