using Aisto.Functions.Monitoring;
using Aisto.Infrastructure.Chain;
using Aisto.Infrastructure.Runtime;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Durable;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aisto.Functions.Standalone;

/// <summary>
/// Runs the Functions app without a Functions host: installs the npm tools when missing, starts Azurite when its
/// endpoints do not answer, hosts the durable engine in-process, serves the HTTP functions on Kestrel under
/// <c>/api</c>, fires the timers, and on Ctrl+C stops the worker, then the engine, then its child processes.
/// </summary>
public static class StandaloneHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        await using var app = await StartAsync(args);
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>
    /// Starts everything and returns once the app serves; <paramref name="settings"/> override configuration last
    /// (tests and benchmarks use it for ports, table prefixes, task hubs and short timings).
    /// </summary>
    public static async Task<StandaloneApp> StartAsync(string[] args, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        AistoConfiguration.Apply(builder.Configuration, args, includeLocalSettings: true);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var standalone = builder.Configuration.GetSection(StandaloneOptions.Section).Get<StandaloneOptions>() ?? new StandaloneOptions();
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var durable = builder.Configuration.GetSection(DurableOptions.Section).Get<DurableOptions>() ?? new DurableOptions();

        // Lives as long as the app: the durable sidecar logs through it.
        var bootLogs = LoggerFactory.Create(l => l.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true));
        var log = bootLogs.CreateLogger("Aisto.Standalone");
        var root = RepositoryRoot.Find();
        var azurite = standalone.StartStorageEmulator && root is not null
            ? await LocalStorageEmulator.EnsureRunningAsync(
                storage.ConnectionString, root, log,
                persistent: !string.Equals(standalone.StorageEmulatorData, "Memory", StringComparison.OrdinalIgnoreCase))
            : null;
        var engine = await DurableEngine.StartAsync(durable, storage.ConnectionString, bootLogs, storage: storage);
        log.LogInformation("Durable engine ({Backend}, task hub {Hub}) on {Address}", durable.Backend, durable.TaskHub, engine.Address);

        builder.WebHost.UseUrls(standalone.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
        builder.Services.AddAistoFunctions();
        builder.Services.AddAistoTelemetry(builder.Configuration);
        builder.Services.AddDurableTaskWorker(w =>
        {
            w.UseGrpc(engine.Channel);
            w.AddTasks(DurableTasks.AddAll);
        });
        builder.Services.AddDurableTaskClient(c => c.UseGrpc(engine.Channel));
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<TimerTriggerService>(sp, typeof(StandaloneHost).Assembly));
        if (standalone.StartDevChain)
        {
            builder.Services.AddHostedService<DevChainWarmup>();
        }
        builder.Services.AddOptions<QueueTriggerOptions>().BindConfiguration(QueueTriggerOptions.Section);
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<QueueTriggerService>(sp, typeof(StandaloneHost).Assembly));

        var app = builder.Build();
        app.UseExceptionHandler(errors => errors.Run(async context =>
        {
            // Bad input never gets here (the functions answer 4xx); this is for genuine faults only. A client that
            // hung up is not one: there is nobody to answer and nothing went wrong on our side.
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Aisto.Http").LogError(error, "Unhandled error");
            await Results.Problem(
                    statusCode: StatusCodes.Status500InternalServerError,
                    title: "Internal error",
                    detail: "The request failed on our side; it is safe to retry.",
                    type: "https://aisto.dev/problems/internal")
                .ExecuteAsync(context);
        }));
        app.UseStatusCodePages(async status =>
        {
            if (status.HttpContext.Response.ContentLength is null && !status.HttpContext.Response.HasStarted)
            {
                await Results.Problem(statusCode: status.HttpContext.Response.StatusCode, type: "https://aisto.dev/problems/http")
                    .ExecuteAsync(status.HttpContext);
            }
        });
        app.Use(Http.RateLimitMiddleware.Standalone);
        app.MapHttpFunctions(typeof(StandaloneHost).Assembly);
        app.MapGet("/", () => Results.Redirect("/api/dashboard/")).ExcludeFromDescription();
        app.MapGet("/dashboard", () => Results.Redirect("/api/dashboard/")).ExcludeFromDescription();
        await app.StartAsync();
        return new StandaloneApp(app, engine, azurite, bootLogs);
    }
}
