using System.Diagnostics;
using IOPath = System.IO.Path;

namespace Aisto.Domain.Tests.Payouts;

/// <summary>Finds the checkout (the folder with AISTO.sln) and runs its Node tools, installing them when missing.</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(IOPath.Combine(dir.FullName, "AISTO.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AISTO.sln not found above " + AppContext.BaseDirectory);
    });

    private static readonly SemaphoreSlim NpmLock = new(1, 1);

    public static string FullPath => Root.Value;

    /// <summary>Runs a Node script of the repository with <paramref name="stdin"/> and returns its stdout.</summary>
    public static async Task<string> RunNodeAsync(string scriptRelativePath, string stdin)
    {
        await EnsureNodeModulesAsync();
        var start = new ProcessStartInfo("node", IOPath.Combine(FullPath, scriptRelativePath))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = FullPath,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {scriptRelativePath} exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    private static async Task EnsureNodeModulesAsync()
    {
        await NpmLock.WaitAsync();
        try
        {
            if (Directory.Exists(IOPath.Combine(FullPath, "node_modules", "@openzeppelin", "merkle-tree")))
            {
                return;
            }

            using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = FullPath })!;
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci exited {npm.ExitCode}");
            }
        }
        finally
        {
            NpmLock.Release();
        }
    }
}
