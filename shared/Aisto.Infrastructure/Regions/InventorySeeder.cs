using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Regions;

/// <summary>At start-up, makes sure every node a region reports has a row in the booking sheet (and no other does).</summary>
public sealed class InventorySeeder(IRegionDirectory regions, InventorySync sync, ILogger<InventorySeeder> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (added, removed) = await sync.SyncAsync(cancellationToken);
        logger.LogInformation(
            "Inventory synced with {Regions} regions: {Added} nodes added, {Removed} removed", regions.Regions.Count, added, removed);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
