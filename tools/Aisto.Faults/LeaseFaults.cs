using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Aisto.Faults;

/// <summary>
/// Leases under kill -9: a seeded driver creates leases (Idempotency-Key, retried with the same key until answered),
/// some of them in a region that fails them mid-provision (<c>AISTO_SIMULATE=fail-provision</c>), and cancels some,
/// while the app is killed and restarted. At the end every lease is cancelled and must end; then nothing may be lost,
/// stuck, double-booked or billed twice.
/// </summary>
public static class LeaseFaults
{
    private static readonly string[] Models = ["A100", "H100", "L40S", "RTX4090"];
    private static readonly string?[] Regions = [null, "us-east", "singapore", "malaysia"];
    private static readonly HashSet<string> Terminal = ["Released", "Cancelled", "Failed", "Expired", "Preempted"];

    public static async Task<FaultReport> RunAsync(FaultSettings settings, ILoggerFactory logger)
    {
        var report = new FaultReport("lease");
        await using var rig = await FaultRig.StartAsync("lease", logger);
        await rig.StartAppAsync();
        using var tenant = rig.Client(FaultRig.TenantKey);
        var driver = new Driver(tenant, new Random(settings.Seed + 1), maxLeases: (settings.Kills * 3) + 6);
        using (var stop = new CancellationTokenSource())
        {
            var driving = driver.RunAsync(stop.Token);
            await KillSchedule.RunAsync(rig, report, settings.Kills, new Random(settings.Seed));
            await Task.Delay(TimeSpan.FromSeconds(2));
            await stop.CancelAsync();
            await driving;
        }

        await SettleAndCheckAsync(rig, report, tenant, driver.Leases, logger.CreateLogger("faults.lease"));
        return report;
    }

    /// <summary>Answers every pending create, cancels every lease, waits for them to end, then checks the invariants.</summary>
    internal static async Task SettleAndCheckAsync(FaultRig rig, FaultReport report, HttpClient tenant, IReadOnlyList<DrivenLease> leases, ILogger logger)
    {
        // 1. Every create answered (same key, same body → the same lease).
        foreach (var lease in leases.Where(l => l.LeaseId is null))
        {
            await KillSchedule.WaitUntilAsync(async () => await Driver.TryCreateAsync(tenant, lease), TimeSpan.FromSeconds(60));
        }

        report.Items = leases.Count;
        report.RegionFailures = leases.Count(l => l.FailsProvisioning);
        foreach (var lease in leases)
        {
            report.Check(lease.LeaseId is not null, () => $"create with key {lease.Key} was never answered with a lease");
        }

        // 2. Cancel everything still running and wait for quiescence.
        var placed = leases.Where(l => l.LeaseId is not null).ToList();
        var last = new Dictionary<string, JsonElement>();
        var quiet = await KillSchedule.WaitUntilAsync(
            async () =>
            {
                foreach (var lease in placed.Where(l => !last.TryGetValue(l.LeaseId!, out var seen) || !Terminal.Contains(seen.GetProperty("status").GetString()!)))
                {
                    var current = await tenant.GetFromJsonAsync<JsonElement>(new Uri($"/api/leases/{lease.LeaseId}", UriKind.Relative));
                    last[lease.LeaseId!] = current;
                    var status = current.GetProperty("status").GetString()!;
                    if (!Terminal.Contains(status) && status != "Releasing")
                    {
                        using var cancel = await tenant.DeleteAsync(new Uri($"/api/leases/{lease.LeaseId}", UriKind.Relative));
                    }
                }

                return placed.All(l => last.TryGetValue(l.LeaseId!, out var seen) && Terminal.Contains(seen.GetProperty("status").GetString()!));
            },
            TimeSpan.FromMinutes(4));
        logger.LogInformation("Leases quiescent: {Quiet}", quiet);

        // 3. Nothing lost or stuck; injected failures failed, nothing else did.
        foreach (var lease in placed)
        {
            var status = last.TryGetValue(lease.LeaseId!, out var seen) ? seen.GetProperty("status").GetString()! : "(never read)";
            report.Check(Terminal.Contains(status), () => $"lease {lease.LeaseId} is stuck in {status}");
            var reason = last.TryGetValue(lease.LeaseId!, out var l) && l.GetProperty("failureReason").ValueKind == JsonValueKind.String ? l.GetProperty("failureReason").GetString() : null;
            report.Check(
                lease.FailsProvisioning ? status == "Failed" : status != "Failed",
                () => $"lease {lease.LeaseId} ({(lease.FailsProvisioning ? "region failing mid-provision" : "healthy")}) ended {status}: {reason}");
        }

        // 4. No duplicate lease from a retried create: the tenant holds exactly the leases it was answered.
        var listed = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await tenant.GetFromJsonAsync<JsonElement>(new Uri("/api/leases" + (token is null ? "" : "?continuationToken=" + Uri.EscapeDataString(token)), UriKind.Relative));
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                listed.Add(item.GetProperty("leaseId").GetString()!);
            }

            token = page.GetProperty("continuationToken").ValueKind == JsonValueKind.String ? page.GetProperty("continuationToken").GetString() : null;
        }
        while (token is not null);
        var answered = placed.Select(l => l.LeaseId!).ToHashSet(StringComparer.Ordinal);
        report.Check(listed.SetEquals(answered), () =>
            $"tenant holds {listed.Count} leases, was answered {answered.Count}: extra {string.Join(",", listed.Except(answered))}, missing {string.Join(",", answered.Except(listed))}");

        // 5. Ledger: every lease billed once per second it ran, and what it shows is what the ledger holds.
        var requested = last.Values.Select(v => v.GetProperty("requestedAt").GetDateTimeOffset()).DefaultIfEmpty(DateTimeOffset.UtcNow).Min();
        var entries = await new Ledger(rig).EntriesAsync(requested, DateTimeOffset.UtcNow);
        foreach (var (leaseId, lease) in last)
        {
            Ledger.CheckLease(
                report, leaseId, entries,
                lease.GetProperty("activeAt").ValueKind == JsonValueKind.String ? lease.GetProperty("activeAt").GetDateTimeOffset() : null,
                lease.GetProperty("endedAt").ValueKind == JsonValueKind.String ? lease.GetProperty("endedAt").GetDateTimeOffset() : null,
                decimal.Parse(lease.GetProperty("pricePerHour").GetString()!, CultureInfo.InvariantCulture),
                decimal.Parse(lease.GetProperty("chargedSoFar").GetString()!, CultureInfo.InvariantCulture));
        }

        report.Check(entries.Select(e => e.EntryId).Distinct().Count() == entries.Count, () => "the ledger holds an entry id twice");
        foreach (var violation in report.Violations.Where(v => v.Contains("ledger sum", StringComparison.Ordinal)).ToList())
        {
            var leaseId = violation.Split(' ')[1].TrimEnd(':');
            logger.LogWarning("Ledger rows of {LeaseId}: {Rows}", leaseId, await new Ledger(rig).DumpAsync(leaseId));
        }


        // 6. Every GPU given back: no booking left behind by an ended lease.
        var bookings = await Inventory.CheckCapacityAsync(rig, report, "at the end");
        var leftover = bookings.Where(b => answered.Contains(b.HolderId)).ToList();
        report.Check(leftover.Count == 0, () => $"GPUs still booked by ended leases: {string.Join(", ", leftover.Select(b => $"{b.HolderId}@{b.NodeId} {last.GetValueOrDefault(b.HolderId)}"))}");
    }

    /// <summary>A lease the driver asked for: its idempotency key and body, and the id once answered.</summary>
    internal sealed class DrivenLease(string key, object body, bool failsProvisioning)
    {
        public string Key { get; } = key;

        public object Body { get; } = body;

        public bool FailsProvisioning { get; } = failsProvisioning;

        public string? LeaseId { get; set; }

        public bool CancelSent { get; set; }
    }

    /// <summary>Creates and cancels leases at a steady pace; a call cut off by a kill is retried later.</summary>
    internal sealed class Driver(HttpClient tenant, Random random, int maxLeases, string? region = null, IReadOnlyList<string>? models = null, int maxGpus = 3)
    {
        private readonly List<DrivenLease> leases = [];

        public IReadOnlyList<DrivenLease> Leases => leases;

        /// <summary>The share of leases sent to a region that fails them mid-provision.</summary>
        public double FailureShare { get; init; } = 0.15;

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    foreach (var pending in leases.Where(l => l.LeaseId is null).ToList())
                    {
                        await TryCreateAsync(tenant, pending);
                    }

                    var placed = leases.Where(l => l.LeaseId is not null && !l.CancelSent).ToList();
                    if (leases.Count < maxLeases && (placed.Count < 3 || random.NextDouble() < 0.6))
                    {
                        var fails = random.NextDouble() < FailureShare;
                        var lease = new DrivenLease("faults-" + Guid.NewGuid().ToString("N"), Body(fails), fails);
                        leases.Add(lease);
                        await TryCreateAsync(tenant, lease);
                    }
                    else if (placed.Count > 0)
                    {
                        var lease = placed[random.Next(placed.Count)];
                        using var response = await tenant.DeleteAsync(new Uri($"/api/leases/{lease.LeaseId}", UriKind.Relative), stop);
                        lease.CancelSent = response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Killed mid-call: what was cut off is retried.
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(150, 600)), stop);
                }
                catch (TaskCanceledException)
                {
                    return;
                }
            }
        }

        public static async Task<bool> TryCreateAsync(HttpClient tenant, DrivenLease lease)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/leases", UriKind.Relative)) { Content = JsonContent.Create(lease.Body) };
            request.Headers.Add("Idempotency-Key", lease.Key);
            try
            {
                using var response = await tenant.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("leaseId").GetString();
                    // A retry must answer the lease the first answer named.
                    lease.LeaseId ??= id;
                    return lease.LeaseId == id;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not answered: retried.
            }

            return false;
        }

        private object Body(bool failsProvisioning)
        {
            var model = models is { Count: > 0 } only ? only[random.Next(only.Count)] : Models[random.Next(Models.Length)];
            var where = region ?? Regions[random.Next(Regions.Length)];
            var workload = failsProvisioning
                ? new { image = "ghcr.io/faults/broken:1", env = new Dictionary<string, string> { ["AISTO_SIMULATE"] = "fail-provision" } }
                : new { image = "ghcr.io/faults/train:1", env = new Dictionary<string, string>() };
            return new { gpuModel = model, gpuCount = random.Next(1, maxGpus + 1), durationHours = 0.25, region = where, workload };
        }
    }
}
