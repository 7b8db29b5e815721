using System.Text.Json;
using Aisto.Infrastructure.Storage;
using Azure.Data.Tables;

namespace Aisto.Faults;

/// <summary>One booking on a node as the inventory table holds it, read raw (not through the domain, which would refuse a broken row).</summary>
public sealed record Booking(string Region, string NodeId, string HolderId, IReadOnlyList<int> GpuIndices, int MilliPerGpu);

/// <summary>Reads the region inventory table directly and checks that no GPU is booked beyond its capacity.</summary>
public static class Inventory
{
    public static async Task<IReadOnlyList<Booking>> CheckCapacityAsync(FaultRig rig, FaultReport report, string when)
    {
        var table = await new AistoTables(rig.Storage).GetAsync("inventory");
        var bookings = new List<Booking>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            var gpus = row.GetInt32("Gpus") ?? 0;
            var used = new int[gpus];
            var indexOutside = false;
            using var allocations = JsonDocument.Parse(row.GetString("Allocations") ?? "[]");
            foreach (var a in allocations.RootElement.EnumerateArray())
            {
                var milli = a.GetProperty("milliPerGpu").GetInt32();
                var indices = a.GetProperty("gpuIndices").EnumerateArray().Select(i => i.GetInt32()).ToList();
                bookings.Add(new Booking(row.PartitionKey, row.RowKey, a.GetProperty("holderId").GetString()!, indices, milli));
                foreach (var i in indices)
                {
                    if (i < 0 || i >= gpus)
                    {
                        indexOutside = true;
                    }
                    else
                    {
                        used[i] += milli;
                    }
                }
            }

            report.Check(!indexOutside && used.All(u => u <= 1000), () =>
                $"{when}: node {row.PartitionKey}/{row.RowKey} is booked beyond capacity: [{string.Join(",", used)}] milli per GPU");
        }

        return bookings;
    }
}
