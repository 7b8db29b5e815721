using Aisto.Infrastructure.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aisto.Functions.Standalone;

/// <summary>A running standalone app; disposing stops the worker, then the durable engine, then child processes.</summary>
public sealed class StandaloneApp(WebApplication app, DurableEngine engine, ChildProcess? storageEmulator, ILoggerFactory runtimeLogs)
    : IAsyncDisposable
{
    public IServiceProvider Services => app.Services;

    public Task WaitForShutdownAsync() => app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        await engine.DisposeAsync();
        if (storageEmulator is not null)
        {
            await storageEmulator.DisposeAsync();
        }

        runtimeLogs.Dispose();
    }
}
