using System.Diagnostics;
using System.Net.Http.Json;
using Aisto.Infrastructure.Runtime;

namespace Aisto.Functions.Tests;

/// <summary>kill -9 of the running app: after a restart its leases carry on and nothing is lost.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task An_active_lease_survives_a_kill_minus_9_and_can_be_released_after_restart()
    {
        await StorageEmulator.EnsureAsync();
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        var port = ChildProcess.FreePort();
        var settings = AppHarness.DefaultSettings(prefix, port);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new("Bearer", AppHarness.TenantA);

        var first = await StartAppProcessAsync(settings, client);
        string leaseId;
        System.Text.Json.JsonElement active;
        try
        {
            var created = await client.PostAsJsonAsync("/api/leases", new { gpuModel = "A100", gpuCount = 2, durationHours = 1, region = "singapore" });
            leaseId = (await created.JsonAsync()).GetProperty("leaseId").GetString()!;
            active = await client.WaitForLeaseAsync(leaseId, l => l.Status() == "Active");
        }
        finally
        {
            first.Kill(entireProcessTree: false); // SIGKILL: no shutdown, no lease release, no flush.
            await first.WaitForExitAsync();
            first.Dispose();
        }

        using var second = await StartAppProcessAsync(settings, client);
        try
        {
            var afterRestart = await client.WaitForLeaseAsync(leaseId, l => true);
            Assert.Equal("Active", afterRestart.Status());
            Assert.Equal(active.GetProperty("expiresAt").GetDateTimeOffset(), afterRestart.GetProperty("expiresAt").GetDateTimeOffset());

            // A message the killed process held comes back after its visibility timeout (30 s control, 60 s work item).
            await client.DeleteAsync($"/api/leases/{leaseId}");
            var released = await client.WaitForLeaseAsync(leaseId, l => l.Status() == "Released", TimeSpan.FromSeconds(150));

            Assert.Equal(active.GetProperty("placement").ToString(), released.GetProperty("placement").ToString());
            var regions = await (await client.GetAsync("/api/regions")).JsonAsync();
            var singaporeA100 = regions.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "singapore")
                .GetProperty("gpus").EnumerateArray().Single(g => g.GetProperty("model").GetString() == "A100");
            Assert.Equal(0m, singaporeA100.GetProperty("allocated").GetDecimal());
        }
        finally
        {
            second.Kill(entireProcessTree: false);
            await second.WaitForExitAsync();
        }
    }

    /// <summary>Starts the built app as its own process (as `dotnet run` would) and waits until it serves.</summary>
    internal static async Task<Process> StartAppProcessAsync(
        IReadOnlyDictionary<string, string?> settings, HttpClient client, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Aisto.Functions.dll"));
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        // AISTO_TEST_APP_LOG=<file> keeps the app's output for diagnosing a failed run.
        var log = Environment.GetEnvironmentVariable("AISTO_TEST_APP_LOG") is { Length: > 0 } path ? TextWriter.Synchronized(new StreamWriter(path, append: true) { AutoFlush = true }) : null;
        process.OutputDataReceived += (_, e) => log?.WriteLine(e.Data);
        process.ErrorDataReceived += (_, e) => log?.WriteLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"The app exited with code {(process.HasExited ? process.ExitCode : 0)}.");
            try
            {
                if ((await client.GetAsync("/api/health")).IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        process.Kill();
        throw new TimeoutException("The app did not serve /api/health within 60 s.");
    }
}
