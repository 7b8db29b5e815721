using System.Diagnostics;
using System.Reflection;

namespace Aisto.Infra.Tests.Bicep;

/// <summary>Runs the Bicep CLI that restore put in the NuGet global packages folder (package Azure.Bicep.CommandLine.linux-x64).</summary>
public static class BicepCli
{
    private const string PackageId = "azure.bicep.commandline.linux-x64";

    // A guard against a hung process, not a speed expectation: one run takes a few seconds.
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(3);

    private static readonly Lazy<string> Executable = new(Locate);

    public static string Version =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "BicepCliVersion").Value!;

    public static BicepRun Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable.Value)
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

        // No telemetry or update checks: CI has no internet beyond the package registries.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Guard))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Guard}.");
        }

        return new BicepRun(string.Join(' ', arguments), process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static string Locate()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The restored Bicep CLI package is the linux-x64 build.");
        }

        var packagesRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packagesRoot, PackageId, Version, "tools", "bicep");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Bicep CLI {Version} not found at {path}; `dotnet restore tests/Aisto.Infra.Tests` downloads it.", path);
        }

        // NuGet extracts the package without the execute bits everyone needs.
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & execute) != execute)
        {
            File.SetUnixFileMode(path, mode | execute);
        }

        return path;
    }
}

/// <summary>Exit code, output and parsed diagnostics of one Bicep CLI run.</summary>
public sealed record BicepRun(string Command, int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<BicepDiagnostic> Diagnostics => BicepDiagnostic.ParseAll(Stderr + "\n" + Stdout);

    public IReadOnlyList<BicepDiagnostic> ErrorsAndWarnings => Diagnostics.Where(diagnostic => diagnostic.IsErrorOrWarning).ToList();

    public string Describe() =>
        $"bicep {Command} exited {ExitCode}.\n--- stderr ---\n{Stderr}\n--- stdout (first 2000 chars) ---\n{Stdout[..Math.Min(Stdout.Length, 2000)]}";
}
