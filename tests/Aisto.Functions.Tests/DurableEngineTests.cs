using Aisto.Infrastructure.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Functions.Tests;

[Collection("standalone runtime")]
public sealed class DurableEngineTests
{
    [Fact]
    public async Task An_engine_stopped_before_any_worker_connected_stops_without_taking_the_process_down()
    {
        // Arrange: an Azure Storage engine on the emulator that no worker ever connects to.
        await StorageEmulator.EnsureAsync();
        var hub = "e" + Guid.NewGuid().ToString("N")[..10];
        var options = new DurableOptions { TaskHub = hub, WorkerId = hub + "-worker" };
        var engine = await DurableEngine.StartAsync(options, "UseDevelopmentStorage=true", NullLoggerFactory.Instance);

        // Act: stop it at once; a stop of the sidecar that reached a backend not (fully) started threw from an
        // async-void handler and took the test host down, so also give that handler time to run.
        await engine.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));

        // Assert: we are still here, and the task hub can be opened again by a new engine.
        var again = await DurableEngine.StartAsync(options, "UseDevelopmentStorage=true", NullLoggerFactory.Instance);
        await again.DisposeAsync();
    }
}
