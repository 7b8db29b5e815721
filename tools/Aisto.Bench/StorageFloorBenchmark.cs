using System.Diagnostics;
using System.Text.Json;
using Aisto.Infrastructure.Storage;
using Azure.Data.Tables;

namespace Aisto.Bench;

/// <summary>
/// What one Azure Tables request costs on this machine, in the app (Azure SDK, HTTP) and in Azurite, with nothing
/// else running: entities of a lease row's size are inserted, replaced twice with their ETag, read and deleted, by
/// <c>--concurrency</c> workers at once. Multiplied by the requests a lifecycle makes, it is the floor under the
/// lifecycle benchmark's CPU per lifecycle that no change to the workflow itself can go below.
/// </summary>
public static class StorageFloorBenchmark
{
    private const int RequestsPerEntity = 5;

    public static async Task<int> RunAsync(string[] args)
    {
        var entities = int.Parse(Option(args, "--entities") ?? "4000", System.Globalization.CultureInfo.InvariantCulture);
        var concurrency = int.Parse(Option(args, "--concurrency") ?? "32", System.Globalization.CultureInfo.InvariantCulture);
        await using var emulator = await BenchStorage.StartAsync();
        var table = AistoTables.CreateService(emulator.ConnectionString).GetTableClient("floor" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();

        await RunAsync(table, "warm", Math.Min(entities, 1000), concurrency);
        var appCpu = ProcessCpu.OfThisProcess();
        var storageCpu = emulator.CpuTime;
        var clock = Stopwatch.StartNew();
        await RunAsync(table, "run", entities, concurrency);
        clock.Stop();
        appCpu = ProcessCpu.OfThisProcess() - appCpu;
        storageCpu = emulator.CpuTime - storageCpu;

        var requests = entities * RequestsPerEntity;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            requests,
            concurrency,
            requestsPerSecond = Math.Round(requests / clock.Elapsed.TotalSeconds, 1),
            appCpuMsPerRequest = Math.Round(appCpu.TotalMilliseconds / requests, 3),
            storageCpuMsPerRequest = Math.Round(storageCpu.TotalMilliseconds / requests, 3),
            loadAverage = ProcessCpu.LoadAverage(),
        }));
        return 0;
    }

    private static async Task RunAsync(TableClient table, string tag, int entities, int concurrency)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < entities; i = Interlocked.Increment(ref next))
            {
                var entity = LeaseSized($"{tag}-{i % 64}", $"{tag}-{i}");
                await table.AddEntityAsync(entity);
                var etag = (await table.UpdateEntityAsync(entity, Azure.ETag.All, TableUpdateMode.Replace)).Headers.ETag!.Value;
                entity["Status"] = "Active";
                await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace);
                await table.GetEntityAsync<TableEntity>(entity.PartitionKey, entity.RowKey);
                await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey);
            }
        }));
    }

    /// <summary>About the properties and size of a lease row.</summary>
    private static TableEntity LeaseSized(string partition, string row) => new(partition, row)
    {
        ["TenantId"] = "bench",
        ["Status"] = "Provisioning",
        ["GpuModel"] = "H100",
        ["Gpus"] = 1,
        ["Region"] = "singapore",
        ["NodeId"] = "singapore-h100-01",
        ["RequestedAt"] = DateTimeOffset.UtcNow,
        ["ExpiresAt"] = DateTimeOffset.UtcNow.AddHours(1),
        ["PricePerHour"] = "3.289000",
        ["Request"] = new string('x', 400),
        ["Version"] = 3,
    };

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
