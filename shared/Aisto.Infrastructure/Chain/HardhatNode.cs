using System.Diagnostics;
using System.Net;
using System.Text;
using Aisto.Infrastructure.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Infrastructure.Chain;

/// <summary>
/// A Hardhat dev chain (chain id 31337, Hardhat's public dev accounts) running as a child process on loopback;
/// disposing it kills the process tree. Its state lives in memory and dies with it.
/// </summary>
public sealed class HardhatNode : IAsyncDisposable
{
    public const long ChainId = 31337;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly OutputTail _output;
    private int _disposed;

    private HardhatNode(Process process, OutputTail output, int port)
    {
        _process = process;
        _output = output;
        Port = port;
        // If the host dies without disposing (a crashed test run), do not leave the chain behind.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public int Port { get; }

    public string RpcUrl => $"http://127.0.0.1:{Port}";

    public int ProcessId => _process.Id;

    /// <summary>Starts <c>hardhat node</c> on <paramref name="port"/> (a free one when null) and waits until it answers.</summary>
    public static async Task<HardhatNode> StartAsync(NpmWorkspace workspace, int? port = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        logger ??= NullLogger.Instance;
        await workspace.EnsureInstalledAsync(cancellationToken);
        // A free port can be taken between probing and binding; with a chosen port, retry on a fresh one.
        for (var attempt = 1; ; attempt++)
        {
            var chosen = port ?? ChildProcess.FreePort();
            var node = Launch(workspace, chosen);
            try
            {
                await node.WaitUntilAnsweringAsync(cancellationToken);
                logger.LogInformation("Hardhat node {Pid} serving chain {ChainId} at {RpcUrl}", node.ProcessId, ChainId, node.RpcUrl);
                return node;
            }
            catch (Exception e) when (e is not OperationCanceledException && port is null && attempt < 3)
            {
                logger.LogWarning(e, "Hardhat node on port {Port} did not start; retrying on another port", chosen);
                await node.DisposeAsync();
            }
            catch
            {
                await node.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Kill();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Killed but not reaped in time; nothing more can be done from here.
        }

        _process.Dispose();
    }

    private static HardhatNode Launch(NpmWorkspace workspace, int port)
    {
        var start = new ProcessStartInfo(workspace.HardhatExecutable)
        {
            // hardhat.config.js lives in contracts/; Hardhat finds the config from its working directory.
            WorkingDirectory = workspace.ContractsDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "node", "--hostname", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HARDHAT_DISABLE_TELEMETRY_PROMPT"] = "true";
        start.Environment["CI"] = "true";
        var output = new OutputTail();
        var process = new Process { StartInfo = start };
        // Drain both streams (Hardhat logs every request) so the child never blocks on a full pipe.
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start the Hardhat node.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new HardhatNode(process, output, port);
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Hardhat node exited with {_process.ExitCode} before answering: {_output}");
            }

            if (started.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"Hardhat node did not answer on {RpcUrl} within {StartTimeout.TotalSeconds} s: {_output}");
            }

            try
            {
                using var content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}""", Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri(RpcUrl), content, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Request timed out; try again.
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The last lines the node printed, for error messages.</summary>
    private sealed class OutputTail
    {
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Enqueue(line);
                if (_lines.Count > 30)
                {
                    _lines.Dequeue();
                }
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }
}
