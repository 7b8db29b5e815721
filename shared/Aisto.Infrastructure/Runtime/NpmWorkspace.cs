using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Infrastructure.Runtime;

/// <summary>
/// The checkout's Node.js tools (package.json + package-lock.json at the repository root): installs them with
/// <c>npm ci</c> when node_modules is missing and runs their scripts.
/// </summary>
public sealed class NpmWorkspace
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private readonly ILogger _logger;

    public NpmWorkspace(string root, ILogger? logger = null)
    {
        Root = Path.GetFullPath(root);
        _logger = logger ?? NullLogger.Instance;
    }

    public string Root { get; }

    public string ContractsDirectory => Path.Combine(Root, "contracts");

    public string HardhatExecutable => Path.Combine(Root, "node_modules", ".bin", "hardhat");

    /// <summary>The checkout this process runs from (see <see cref="RepositoryRoot"/>: one rule for finding it).</summary>
    public static NpmWorkspace Find(ILogger? logger = null) =>
        RepositoryRoot.Find() is { } root
            ? new NpmWorkspace(root, logger)
            : throw new DirectoryNotFoundException("No AISTO checkout (package.json of aisto-dev-tools) at or above the working or app folder.");

    /// <summary>Runs <c>npm ci</c> unless node_modules is complete; safe to call from many threads and processes.</summary>
    public async Task EnsureInstalledAsync(CancellationToken cancellationToken = default)
    {
        if (IsInstalled())
        {
            return;
        }

        await InstallGate.WaitAsync(cancellationToken);
        try
        {
            // Another process (a parallel test run) may be installing too: take a file lock for the duration.
            Directory.CreateDirectory(Path.Combine(Root, ".aisto"));
            await using var fileLock = await AcquireFileLockAsync(Path.Combine(Root, ".aisto", "npm-ci.lock"), cancellationToken);
            if (IsInstalled())
            {
                return;
            }

            _logger.LogInformation("node_modules missing in {Root}: running npm ci", Root);
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], stdin: null, TimeSpan.FromMinutes(10), cancellationToken);
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Runs <c>node script args…</c> in the repository root and returns stdout; throws with stderr on failure.</summary>
    public async Task<string> RunNodeAsync(string scriptRelativePath, IReadOnlyList<string> arguments, string? stdin = null, CancellationToken cancellationToken = default)
    {
        await EnsureInstalledAsync(cancellationToken);
        return await RunAsync("node", [Path.Combine(Root, scriptRelativePath), .. arguments], stdin, TimeSpan.FromMinutes(2), cancellationToken);
    }

    private bool IsInstalled() =>
        File.Exists(Path.Combine(Root, "node_modules", ".package-lock.json")) && File.Exists(HardhatExecutable);

    private async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, string? stdin, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = Root,
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            var message = new StringBuilder($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: ");
            message.Append(await stderr).Append(await stdout);
            throw new InvalidOperationException(message.ToString());
        }

        return await stdout;
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }
}
