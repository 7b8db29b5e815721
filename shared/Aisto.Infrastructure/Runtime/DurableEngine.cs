using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Runtime;

/// <summary>
/// The durable engine of the standalone runtime: a Durable Task gRPC sidecar served in process, backed by the
/// Azure Storage orchestration service (on Azurite) or the in-memory one. The portable worker and client connect
/// to <see cref="Channel"/>. Stop order matters: the backend releases its partitions before the sidecar goes.
/// </summary>
public sealed class DurableEngine : IAsyncDisposable
{
    /// <summary>How long a stop waits for the backend to drain its sessions before it stops it forcibly.</summary>
    private static readonly TimeSpan GracefulStop = TimeSpan.FromSeconds(15);

    private readonly WebApplication sidecar;
    private readonly IOrchestrationService backend;
    private readonly IOrchestrationService unwrapped;

    private DurableEngine(WebApplication sidecar, IOrchestrationService backend, IOrchestrationService unwrapped, GrpcChannel channel, string address)
    {
        this.sidecar = sidecar;
        this.backend = backend;
        this.unwrapped = unwrapped;
        Channel = channel;
        Address = address;
    }

    public GrpcChannel Channel { get; }

    public string Address { get; }

    /// <param name="storage">Timeouts and retries for the backend's own storage clients (the SDK waits 100 s by default).</param>
    public static async Task<DurableEngine> StartAsync(
        DurableOptions options, string storageConnectionString, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default,
        Storage.StorageOptions? storage = null)
    {
        var service = await CreateBackendAsync(options, storageConnectionString, loggerFactory, storage ?? new Storage.StorageOptions());
        var backend = OnceStartedOrchestrationService.Wrap(service);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);

        // The worker and the client reach the sidecar in memory (ASP.NET Core's TestServer), not over a loopback
        // socket: no ports, no HTTP/2 framing, HPACK or socket reads and writes per call — a lease lifecycle is some
        // thirty gRPC messages. The requests still run through the same ASP.NET Core gRPC service.
        builder.WebHost.UseTestServer(o => o.PreserveExecutionContext = false);
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 16 * 1024 * 1024);
        builder.Services.AddSingleton(backend);
        builder.Services.AddSingleton((IOrchestrationServiceClient)service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);

        var server = app.GetTestServer();
        var address = server.BaseAddress.ToString();
        var channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = server.CreateHandler(),
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
        return new DurableEngine(app, backend, service, channel, address);
    }

    private static async Task<IOrchestrationService> CreateBackendAsync(
        DurableOptions options, string connectionString, ILoggerFactory loggerFactory, Storage.StorageOptions storage)
    {
        if (string.Equals(options.Backend, "InMemory", StringComparison.OrdinalIgnoreCase))
        {
            return new ConcurrentInMemoryOrchestrationService(
                loggerFactory, options.MaxConcurrentOrchestrations ?? 1000, options.MaxConcurrentActivities ?? 1000);
        }

        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = options.TaskHub,
            StorageAccountClientProvider = new StorageAccountClientProvider(
                StorageServiceClientProvider.ForBlob(connectionString, storage.Apply(new Azure.Storage.Blobs.BlobClientOptions())),
                StorageServiceClientProvider.ForQueue(connectionString, storage.Apply(new Azure.Storage.Queues.QueueClientOptions())),
                StorageServiceClientProvider.ForTable(connectionString, storage.Apply(new Azure.Data.Tables.TableClientOptions()))),
            PartitionCount = options.PartitionCount,
            UseTablePartitionManagement = true,
            WorkerId = options.WorkerId ?? $"{Environment.MachineName}-{options.TaskHub}",
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            WorkItemQueueVisibilityTimeout = options.WorkItemVisibilityTimeout,
            ControlQueueVisibilityTimeout = options.ControlQueueVisibilityTimeout,
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities ?? 32,
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations ?? 32,
            LoggerFactory = loggerFactory,
        };
        var service = new AzureStorageOrchestrationService(settings);
        await service.CreateIfNotExistsAsync();
        return service;
    }

    public async ValueTask DisposeAsync()
    {
        // The backend first: it gives up its partition leases so the next process can take them at once. (The
        // wrapper makes the sidecar's own later stop a no-op, and waits for a start still under way.)
        var graceful = backend.StopAsync(isForced: false);
        if (await Task.WhenAny(graceful, Task.Delay(GracefulStop)) != graceful)
        {
            // Still draining after GracefulStop (seen once waiting 10 min for the partition manager on a machine at
            // load 28): stop forcibly rather than hang the process; leases left behind expire for the next one.
            await unwrapped.StopAsync(isForced: true);
            await graceful.WaitAsync(GracefulStop).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await sidecar.StopAsync();
        await sidecar.DisposeAsync();
        Channel.Dispose();
    }
}
