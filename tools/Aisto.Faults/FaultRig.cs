using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Aisto.Infrastructure.Runtime;
using Aisto.Infrastructure.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Faults;

/// <summary>
/// One kind's test bench: its own Azurite on free ports (data in a temp folder, so stopping it disturbs no one
/// else), and the built standalone app (<c>Aisto.Functions.dll</c>) as a child process with its own table prefix,
/// task hub and fast timings. The app is killed with SIGKILL (<see cref="ChildProcess"/> disposal) and started again
/// on the same task hub.
/// </summary>
public sealed class FaultRig : IAsyncDisposable
{
    public const string TenantKey = "aisto-dev-tenant-a";
    public const string OperatorKey = "aisto-dev-operator";

    private readonly string repoRoot;
    private readonly string dataDirectory;
    private readonly (int Blob, int Queue, int Table) ports;
    private readonly Dictionary<string, string?> settings;
    private readonly ILogger logger;
    private readonly ILogger appLogger;
    private ChildProcess? azurite;
    private ChildProcess? app;

    private FaultRig(string repoRoot, string prefix, (int, int, int) ports, int appPort, ILoggerFactory logs)
    {
        logger = logs.CreateLogger("faults.rig");
        appLogger = logs.CreateLogger("faults.app");
        this.repoRoot = repoRoot;
        this.ports = ports;
        Prefix = prefix;
        dataDirectory = Path.Combine(Path.GetTempPath(), "aisto-faults-" + prefix);
        ConnectionString = string.Create(
            CultureInfo.InvariantCulture,
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{this.ports.Blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{this.ports.Queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{this.ports.Table}/devstoreaccount1;");
        BaseAddress = new Uri($"http://127.0.0.1:{appPort}");
        settings = new Dictionary<string, string?>
        {
            ["Aisto:Standalone:Urls"] = BaseAddress.ToString().TrimEnd('/'),
            ["Aisto:Standalone:StartStorageEmulator"] = "false",
            ["Aisto:Standalone:StartDevChain"] = "false",
            ["Aisto:Storage:ConnectionString"] = ConnectionString,
            ["Aisto:Storage:TablePrefix"] = prefix,
            ["Aisto:Durable:TaskHub"] = prefix,
            ["Aisto:Durable:WorkerId"] = prefix + "-worker",
            // A message the killed process held comes back after these (defaults 30 s / 60 s): the campaign's
            // recovery time per kill. Activities here take well under them.
            ["Aisto:Durable:ControlQueueVisibilityTimeout"] = "00:00:10",
            ["Aisto:Durable:WorkItemVisibilityTimeout"] = "00:00:15",
            ["Aisto:Depin:QueueName"] = prefix + "-depin",
            ["Aisto:Depin:QueueRetryInterval"] = "00:00:02",
            ["Aisto:Depin:ReadyPollInterval"] = "00:00:00.250",
            // Tasks whose orchestration a kill took are restarted within seconds (defaults: every 30 s, after 2 min).
            ["Aisto:Depin:ReconcileSchedule"] = "*/5 * * * * *",
            ["Aisto:Depin:ReconcileMinimumAge"] = "00:00:20",
            ["Aisto:Leases:QueueRetryInterval"] = "00:00:01",
            ["Aisto:Leases:ReadyPollInterval"] = "00:00:00.250",
            ["Aisto:Leases:MeteringInterval"] = "00:00:02",
            ["Aisto:Regions:ProvisioningDelay"] = "00:00:01",
            ["Aisto:Payouts:Schedule"] = "0 0 0 1 1 *",
            ["Aisto:Autoscale:Schedule"] = "0 0 0 1 1 *",
            ["Aisto:Standalone:Queues:MaxPollingInterval"] = "00:00:00.250",
            ["Logging:LogLevel:Default"] = "Warning",
        };
    }

    public string Prefix { get; }

    public string ConnectionString { get; }

    public Uri BaseAddress { get; }

    public IOptions<StorageOptions> Storage => Options.Create(new StorageOptions { ConnectionString = ConnectionString, TablePrefix = Prefix });

    public static async Task<FaultRig> StartAsync(string kind, ILoggerFactory logger)
    {
        var root = RepositoryRoot.Find() ?? throw new InvalidOperationException("Run the campaign from the repository (Azurite comes from its node_modules).");
        var prefix = "f" + kind[..Math.Min(4, kind.Length)] + Guid.NewGuid().ToString("N")[..8];
        var rig = new FaultRig(root, prefix, (ChildProcess.FreePort(), ChildProcess.FreePort(), ChildProcess.FreePort()), ChildProcess.FreePort(), logger);
        await rig.StartStorageAsync();
        return rig;
    }

    /// <summary>Sets (or overrides) an app setting for the next start.</summary>
    public void Set(string key, string? value) => settings[key] = value;

    public HttpClient Client(string apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>Starts the app and waits until it serves /api/health.</summary>
    public async Task StartAppAsync(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            env[name] = value;
        }

        app = ChildProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Aisto.Functions.dll")], AppContext.BaseDirectory, appLogger, env);
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (app.HasExited)
            {
                throw new InvalidOperationException("The app exited while starting.");
            }

            try
            {
                if ((await http.GetAsync(new Uri("/api/health", UriKind.Relative))).IsSuccessStatusCode)
                {
                    logger.LogInformation("App {Pid} serving", app.Id);
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The app did not serve /api/health within 90 s.");
    }

    /// <summary>kill -9: no shutdown, no lease release, no flush.</summary>
    public async Task KillAppAsync()
    {
        if (app is not null)
        {
            logger.LogInformation("kill -9 app {Pid}", app.Id);
            await app.DisposeAsync();
            app = null;
        }
    }

    /// <summary>
    /// Stops Azurite (SIGTERM: it saves its files and exits, like a storage service that goes away and comes back
    /// with its data) and starts it again on the same ports. Done while the app is down: Azurite applies requests that
    /// are in flight during its shutdown after saving, so a restart under traffic loses acknowledged writes — an
    /// emulator artefact no real storage service has. <see cref="FreezeStorageAsync"/> is the outage under traffic.
    /// </summary>
    public async Task RestartStorageAsync()
    {
        await StorageUse.WaitAsync();
        try
        {
            await RestartStorageUnguardedAsync();
        }
        finally
        {
            StorageUse.Release();
        }
    }

    /// <summary>Held by the harness's own writes to storage (queue sends), so a restart never cuts one off.</summary>
    public SemaphoreSlim StorageUse { get; } = new(1, 1);

    private async Task RestartStorageUnguardedAsync()
    {
        var before = await CountRowsAsync();
        if (azurite is not null)
        {
            logger.LogInformation("Stopping Azurite {Pid}", azurite.Id);
            await SignalAsync(azurite.Id, "TERM");
            var stopped = Stopwatch.StartNew();
            while (!azurite.HasExited && stopped.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }

            await azurite.DisposeAsync();
            azurite = null;
        }

        await StartStorageAsync();
        var after = await CountRowsAsync();
        logger.LogInformation("Azurite {Pid} serving again; table rows before {Before}, after {After}", azurite!.Id, before, after);
        StorageRowsLost += Math.Max(0, before - after);
    }

    /// <summary>Rows the emulator lost across its restarts (it should be none; a real storage service loses none).</summary>
    public int StorageRowsLost { get; private set; }

    private async Task<int> CountRowsAsync()
    {
        var service = AistoTables.CreateService(ConnectionString);
        var rows = 0;
        await foreach (var table in service.QueryAsync(t => t.Name.CompareTo(Prefix) >= 0 && t.Name.CompareTo(Prefix + "~") < 0))
        {
            await foreach (var _ in service.GetTableClient(table.Name).QueryAsync<Azure.Data.Tables.TableEntity>(select: ["RowKey"]))
            {
                rows++;
            }
        }

        return rows;
    }

    /// <summary>
    /// Storage outage under traffic: Azurite is frozen (SIGSTOP) for <paramref name="duration"/> while the app runs —
    /// every storage call hangs or times out — then resumed (SIGCONT).
    /// </summary>
    public async Task FreezeStorageAsync(TimeSpan duration)
    {
        if (azurite is null)
        {
            return;
        }

        logger.LogInformation("Freezing Azurite {Pid} for {Duration}", azurite.Id, duration);
        await SignalAsync(azurite.Id, "STOP");
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            await SignalAsync(azurite.Id, "CONT");
        }
    }

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAppAsync();
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }

        StorageUse.Dispose();

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held; it is in the temp folder.
        }
    }

    private async Task StartStorageAsync() =>
        azurite = await LocalStorageEmulator.EnsureRunningAsync(ConnectionString, repoRoot, logger, dataDirectory: dataDirectory)
            ?? throw new InvalidOperationException($"Something already listens on the campaign's storage ports {ports}.");
}
