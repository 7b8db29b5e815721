using Aisto.Domain.Scheduling;
using Aisto.Infrastructure.Kubernetes;
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
            IReadOnlyList<Orchestrations.Regions.RegionNode> nodes;
            try
            {
                nodes = await regions.Get(info.Id).ListNodesAsync(cancellationToken);
            }
            catch (KubernetesRegionException e)
            {
                // A cluster that cannot be reached must not stop the app; reconciliation adds its nodes later.
                logger.LogWarning("Region {Region}: nodes not seeded: {Error}", info.Id, e.Message);
                continue;
            }

            foreach (var node in nodes)
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
