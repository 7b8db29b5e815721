using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aisto.Functions.Standalone;
using Aisto.Infrastructure.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Functions.Tests;

/// <summary>
/// Runs the real standalone app in this test process against the real storage emulator, isolated by its own
/// table prefix and task hub, on a free port, with short lifecycle timings.
/// </summary>
public sealed class AppHarness : IAsyncDisposable
{
    public const string TenantA = "aisto-dev-tenant-a";
    public const string TenantB = "aisto-dev-tenant-b";
    public const string Operator = "aisto-dev-operator";

    private AppHarness(StandaloneApp app, Uri baseAddress, string prefix)
    {
        App = app;
        BaseAddress = baseAddress;
        Prefix = prefix;
    }

    public StandaloneApp App { get; }

    public Uri BaseAddress { get; }

    /// <summary>The table prefix and task hub name of this app instance.</summary>
    public string Prefix { get; }

    public static async Task<AppHarness> StartAsync(IReadOnlyDictionary<string, string?>? overrides = null, string? prefix = null, int? port = null)
    {
        await StorageEmulator.EnsureAsync();
        prefix ??= "t" + Guid.NewGuid().ToString("N")[..10];
        port ??= ChildProcess.FreePort();
        var settings = DefaultSettings(prefix, port.Value);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = await StandaloneHost.StartAsync([], settings);
        return new AppHarness(app, new Uri($"http://127.0.0.1:{port}"), prefix);
    }

    /// <summary>Settings every test instance uses; also given to out-of-process runs as environment variables.</summary>
    public static Dictionary<string, string?> DefaultSettings(string prefix, int port) => new()
    {
        ["Aisto:Standalone:Urls"] = $"http://127.0.0.1:{port}",
        ["Aisto:Storage:TablePrefix"] = prefix,
        ["Aisto:Durable:TaskHub"] = prefix,
        ["Aisto:Durable:WorkerId"] = prefix + "-worker",
        ["Aisto:Depin:QueueName"] = prefix + "-depin",
        ["Aisto:Leases:QueueRetryInterval"] = "00:00:01",
        ["Aisto:Leases:QueueRetryMaxInterval"] = "00:00:02",
        ["Aisto:Leases:ReadyPollInterval"] = "00:00:00.250",
        ["Aisto:Regions:ProvisioningDelay"] = "00:00:00.500",
        ["Logging:LogLevel:Default"] = "Warning",
        // No Hardhat per app instance: payout tests point the app at the run's one test chain (TestChain).
        ["Aisto:Standalone:StartDevChain"] = "false",
        ["Aisto:Payouts:Schedule"] = "0 0 0 1 1 *",
    };

    public HttpClient Client(string? apiKey = TenantA)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

/// <summary>Starts Azurite once for the whole test run when nothing listens on its ports yet.</summary>
public static class StorageEmulator
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static ChildProcess? started;

    /// <summary>Tables of their own on the emulator (a fresh table prefix), for a test that uses the stores directly.</summary>
    public static async Task<Aisto.Infrastructure.Storage.AistoTables> FreshTablesAsync()
    {
        await EnsureAsync();
        return new Aisto.Infrastructure.Storage.AistoTables(Microsoft.Extensions.Options.Options.Create(
            new Aisto.Infrastructure.Storage.StorageOptions { TablePrefix = "t" + Guid.NewGuid().ToString("N")[..10] }));
    }

    public static async Task EnsureAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (started is null || started.HasExited)
            {
                var root = RepositoryRoot.Find() ?? throw new InvalidOperationException("Run the tests from the repository.");
                started = await LocalStorageEmulator.EnsureRunningAsync(
                    "UseDevelopmentStorage=true", root, NullLogger.Instance, persistent: false);
                if (started is not null)
                {
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => started.DisposeAsync().AsTask().Wait();
                }
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}

/// <summary>JSON helpers for reading API responses in tests.</summary>
public static class Api
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();

    public static async Task<JsonElement> WaitForLeaseAsync(
        this HttpClient client, string leaseId, Func<JsonElement, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        JsonElement lease = default;
        while (DateTime.UtcNow < deadline)
        {
            lease = await (await client.GetAsync($"/api/leases/{leaseId}")).JsonAsync();
            if (until(lease))
            {
                return lease;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Lease {leaseId} did not reach the expected state; last seen: {lease}");
    }

    /// <summary>
    /// Polls <c>GET /api/depin/tasks/{taskId}</c> until <paramref name="until"/> holds; on timeout the message adds what
    /// <paramref name="describe"/> says about where the task is stuck.
    /// </summary>
    public static async Task<JsonElement> WaitForTaskAsync(
        this HttpClient client, string taskId, Func<JsonElement, bool> until, TimeSpan? timeout = null, Func<Task<string>>? describe = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        JsonElement task = default;
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync($"/api/depin/tasks/{taskId}");
            if (response.StatusCode == System.Net.HttpStatusCode.OK)
            {
                task = await response.JsonAsync();
                if (until(task))
                {
                    return task;
                }
            }

            await Task.Delay(100);
        }

        var more = describe is null ? "" : "; " + await describe();
        throw new TimeoutException($"Task {taskId} did not reach the expected state; last seen: {task}{more}");
    }

    public static async Task<JsonElement> GetLeaseAsync(this HttpClient client, string leaseId) =>
        await (await client.GetAsync($"/api/leases/{leaseId}")).JsonAsync();

    public static string Status(this JsonElement lease) => lease.GetProperty("status").GetString()!;
}
