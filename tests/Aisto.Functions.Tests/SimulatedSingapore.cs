using Aisto.Infrastructure.Regions;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Tests;

/// <summary>
/// A simulated Singapore region of one L40S pool (8-GPU nodes, 64 cores, 512 GiB) on tables of its own on the storage
/// emulator, its booking sheet filled from the region: what the tests of the sheet's writers start from.
/// </summary>
public static class SimulatedSingapore
{
    public const string Region = "singapore";

    public static async Task<(AistoTables Tables, IRegionDirectory Regions, TableInventoryStore Inventory)> StartAsync(int nodes, TimeProvider clock)
    {
        var tables = await StorageEmulator.FreshTablesAsync();
        var fleet = new RegionsOptions
        {
            Items = [new RegionOptions
            {
                Id = Region, DisplayName = "Singapore", Lat = 1.29, Lon = 103.85,
                NodePools = [new NodePoolOptions { Model = "L40S", Nodes = nodes, MinNodes = 0, CpuCores = 64, MemoryGiB = 512 }],
            }],
        };
        var regions = new ConfiguredRegionDirectory(Options.Create(fleet), tables, new SimulatedRegionFaults(), clock);
        var inventory = new TableInventoryStore(tables, regions);
        await new InventorySync(regions, inventory, NullLogger<InventorySync>.Instance).SyncAsync(CancellationToken.None);
        return (tables, regions, inventory);
    }
}
