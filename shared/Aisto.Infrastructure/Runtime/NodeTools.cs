using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Runtime;

/// <summary>Makes sure the repo's npm dev tools are installed (<c>npm ci</c> once, when node_modules is missing).</summary>
public static class NodeTools
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static async Task EnsureInstalledAsync(string repoRoot, ILogger logger, CancellationToken cancellationToken = default)
    {
        await InstallLock.WaitAsync(cancellationToken);
        try
        {
            var marker = Path.Combine(repoRoot, "node_modules", ".package-lock.json");
            if (File.Exists(marker))
            {
                return;
            }

            logger.LogInformation("Installing the npm dev tools (npm ci) in {Root}; this happens once", repoRoot);
            var start = new ProcessStartInfo("npm", "ci --no-audit --no-fund")
            {
                WorkingDirectory = repoRoot,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var npm = Process.Start(start) ?? throw new InvalidOperationException("Could not start npm.");
            var stdout = npm.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = npm.StandardError.ReadToEndAsync(cancellationToken);
            await npm.WaitForExitAsync(cancellationToken);
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci failed ({npm.ExitCode}): {await stderr}{await stdout}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
