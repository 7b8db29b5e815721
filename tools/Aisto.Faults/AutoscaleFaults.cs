using System.Net.Http.Json;
using System.Text.Json;
using Aisto.Infrastructure.Storage;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Aisto.Faults;

/// <summary>
/// Autoscaling under kill -9: the autoscaler runs every 3 s (demand recorded every 2 s, new nodes ready after 5 s)
/// while a seeded driver keeps Malaysia's H100 and A100 pools queued and churning (their minimum lowered to one
/// node so the autoscaler may also drain and remove nodes), and the app is killed and restarted. Checks: pools within
/// their bounds, no booking on a node the region no longer has, every running lease still holding its booking, and
/// all the lease invariants once everything is cancelled.
/// </summary>
public static class AutoscaleFaults
{
    private static readonly string[] Regions = ["us-east", "singapore", "malaysia"];

    public static async Task<FaultReport> RunAsync(FaultSettings settings, ILoggerFactory logs)
    {
        var report = new FaultReport("autoscale");
        var logger = logs.CreateLogger("faults.autoscale");
        await using var rig = await FaultRig.StartAsync("autoscale", logs);
        rig.Set("Aisto:Autoscale:Schedule", "*/3 * * * * *");
        rig.Set("Aisto:Autoscale:RecordSchedule", "*/2 * * * * *");
        rig.Set("Aisto:Autoscale:NodeLeadTime", "00:00:05");
        rig.Set("Aisto:Regions:NodeProvisioningDelay", "00:00:05");
        // Malaysia (third region): H100 2 nodes, A100 3 nodes; minimum one node each, so scale-in is allowed.
        rig.Set("Aisto:Regions:Items:2:NodePools:0:MinNodes", "1");
        rig.Set("Aisto:Regions:Items:2:NodePools:1:MinNodes", "1");
        await rig.StartAppAsync();
        using var tenant = rig.Client(FaultRig.TenantKey);
        var driver = new LeaseFaults.Driver(tenant, new Random(settings.Seed + 4), (settings.Kills * 3) + 6, "malaysia", ["H100", "A100"], maxGpus: 4) { FailureShare = 0.05 };
        using (var stop = new CancellationTokenSource())
        {
            var driving = driver.RunAsync(stop.Token);
            await KillSchedule.RunAsync(rig, report, settings.Kills, new Random(settings.Seed), whileDown: async _ => await CheckNodesAsync(rig, report, "between lives"));
            await Task.Delay(TimeSpan.FromSeconds(4));
            await stop.CancelAsync();
            await driving;
        }

        // Running leases still hold their bookings, on nodes the region has.
        var bookings = await CheckNodesAsync(rig, report, "at the end of the kills");
        foreach (var lease in driver.Leases.Where(l => l.LeaseId is not null))
        {
            var current = await tenant.GetFromJsonAsync<JsonElement>(new Uri($"/api/leases/{lease.LeaseId}", UriKind.Relative));
            if (current.GetProperty("status").GetString() == "Active")
            {
                var node = current.GetProperty("placement").GetProperty("nodes")[0].GetString();
                report.Check(bookings.Any(b => b.HolderId == lease.LeaseId && b.NodeId == node), () => $"active lease {lease.LeaseId} lost its booking on {node}");
            }
        }

        // Pools within bounds; what the autoscaler did.
        var actions = 0;
        foreach (var region in Regions)
        {
            var view = await tenant.GetFromJsonAsync<JsonElement>(new Uri($"/api/regions/{region}/scaling", UriKind.Relative));
            foreach (var pool in view.GetProperty("pools").EnumerateArray())
            {
                if (pool.GetProperty("maxNodes").ValueKind != JsonValueKind.Number)
                {
                    continue;
                }

                var (min, max) = (pool.GetProperty("minNodes").GetInt32(), pool.GetProperty("maxNodes").GetInt32());
                var (ready, desired) = (pool.GetProperty("readyNodes").GetInt32(), pool.GetProperty("desiredNodes").GetInt32());
                report.Check(ready <= max && desired >= min && desired <= max, () =>
                    $"{region}/{pool.GetProperty("poolId")}: ready {ready}, desired {desired}, bounds [{min}, {max}]");
            }

            actions += view.GetProperty("actions").EnumerateArray().Count(a => a.GetProperty("applied").GetBoolean());
        }

        report.ScalingActions = actions;
        logger.LogInformation("Autoscaler applied {Actions} plans", actions);
        await LeaseFaults.SettleAndCheckAsync(rig, report, tenant, driver.Leases, logger);
        return report;
    }

    /// <summary>No GPU over-booked, and no booking on a node the simulated region does not have (removed by a scale-in).</summary>
    private static async Task<IReadOnlyList<Booking>> CheckNodesAsync(FaultRig rig, FaultReport report, string when)
    {
        var bookings = await Inventory.CheckCapacityAsync(rig, report, when);
        var nodes = await new AistoTables(rig.Storage).GetAsync("simnodes");
        var existing = new HashSet<(string, string)>();
        await foreach (var row in nodes.QueryAsync<TableEntity>())
        {
            existing.Add((row.PartitionKey, row.RowKey));
        }

        foreach (var booking in bookings)
        {
            report.Check(existing.Contains((booking.Region, booking.NodeId)), () => $"{when}: {booking.HolderId} is booked on {booking.Region}/{booking.NodeId}, which the region no longer has");
        }

        return bookings;
    }
}
