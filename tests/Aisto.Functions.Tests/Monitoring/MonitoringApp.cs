using System.Diagnostics;
using System.Text.Json;
using Aisto.Infrastructure.Runtime;

namespace Aisto.Functions.Tests.Monitoring;

/// <summary>One standalone app shared by the monitoring tests (snapshots every second), and the browser driver.</summary>
public sealed class MonitoringApp : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public AppHarness App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await AppHarness.StartAsync(new Dictionary<string, string?>
    {
        ["Aisto:Monitoring:SnapshotInterval"] = "00:00:02",
    });

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>Runs one scenario of dashboard.browser.mjs in headless Chromium and returns what it observed.</summary>
    public async Task<JsonElement> BrowseAsync(string scenario, object? parameters = null)
    {
        Assert.True(File.Exists(Chromium), $"Browser tests need Chromium at {Chromium} (apt-get install -y chromium; .ci/run installs it).");
        var input = new Dictionary<string, object?>
        {
            ["scenario"] = scenario,
            ["baseUrl"] = App.BaseAddress.ToString().TrimEnd('/'),
            ["chromium"] = Chromium,
            ["operatorKey"] = AppHarness.Operator,
            ["tenantKey"] = AppHarness.TenantA,
            ["screenshotDir"] = Environment.GetEnvironmentVariable("AISTO_SCREENSHOT_DIR"),
        };
        foreach (var property in JsonSerializer.SerializeToElement(parameters ?? new { }).EnumerateObject())
        {
            input[property.Name] = property.Value;
        }

        var output = await RunNodeAsync(Path.Combine("tests", "Aisto.Functions.Tests", "Monitoring", "dashboard.browser.mjs"), JsonSerializer.Serialize(input));
        var result = JsonDocument.Parse(output).RootElement.Clone();
        Assert.Equal(0, result.GetProperty("pageErrors").GetArrayLength());
        return result;
    }

    /// <summary>node script with stdin; up to 4 minutes, as a lease lifecycle on a loaded machine can take a while.</summary>
    private static async Task<string> RunNodeAsync(string script, string stdin)
    {
        var workspace = NpmWorkspace.Find();
        await workspace.EnsureInstalledAsync();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = workspace.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(workspace.Root, script));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish in 4 minutes: {await stderr}");
        }

        Assert.True(process.ExitCode == 0, $"{script} failed: {await stderr}");
        return await stdout;
    }
}
