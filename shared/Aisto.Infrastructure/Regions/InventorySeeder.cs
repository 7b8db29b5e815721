using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Regions;

/// <summary>At start-up, makes sure every node a region reports has a row in the booking sheet.</summary>
public sealed class InventorySeeder(IRegionDirectory regions, IInventoryStore inventory, ILogger<InventorySeeder> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var info in regions.Regions)
        {
            foreach (var node in await regions.Get(info.Id).ListNodesAsync(cancellationToken))
            {
                await inventory.EnsureNodeAsync(
                    new NodeState(node.NodeId, info.Id, node.GpuModel, node.Gpus, node.CpuMilli, node.MemoryMiB),
                    cancellationToken);
                count++;
            }
        }

        logger.LogInformation("Inventory has {Nodes} nodes in {Regions} regions", count, regions.Regions.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
