using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>Many tenants racing for the same GPUs: nothing is booked twice and every request is accounted for.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class ConcurrencyTests : IAsyncLifetime
{
    private const int Requests = 200;
    private AppHarness app = null!;

    public async Task InitializeAsync() => app = await AppHarness.StartAsync(new Dictionary<string, string?>
    {
        // Queued leases wait for a capacity-freed event; the backoff only backs it up.
        ["Aisto:Leases:QueueRetryInterval"] = "00:00:20",
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Two_hundred_simultaneous_requests_for_more_GPUs_than_exist_overbook_nothing_and_queue_the_rest()
    {
        // us-east has 6 H100 nodes of 8 GPUs: room for exactly 6 of these 200 requests.
        using var client = app.Client();
        var responses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ =>
            client.PostAsJsonAsync("/api/leases", new { gpuModel = "H100", gpuCount = 8, cpuCores = 32, durationHours = 2, region = "us-east" })));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.JsonAsync()));
        var ids = bodies.Select(b => b.GetProperty("leaseId").GetString()!).ToHashSet();
        Assert.Equal(Requests, ids.Count);

        // Requests arriving together share admission walks, yet each answer places its own lease in the queue (only
        // the few already booked by then have none).
        var positions = bodies
            .Select(b => b.TryGetProperty("queue", out var q) && q.ValueKind == JsonValueKind.Object && q.GetProperty("position") is { ValueKind: JsonValueKind.Number } p ? p.GetInt32() : (int?)null)
            .ToList();
        Assert.InRange(positions.Count(p => p is not null), Requests - 6, Requests);
        Assert.All(positions.OfType<int>(), p => Assert.InRange(p, 1, Requests));

        var statuses = await WaitForStatusesAsync(client, ids, s => s.GetValueOrDefault("Active") == 6 && s.GetValueOrDefault("Queued") == Requests - 6);

        Assert.Equal(Requests, statuses.Values.Sum());
        await AssertNothingOverbookedAsync(expectedHolders: 6);

        // Freeing one node lets exactly one queued lease in.
        var leases = await ListAllAsync(client);
        var running = leases.First(l => l.Status() == "Active").GetProperty("leaseId").GetString();
        await client.DeleteAsync($"/api/leases/{running}");
        await WaitForStatusesAsync(client, ids, s => s.GetValueOrDefault("Released") == 1 && s.GetValueOrDefault("Active") == 6);
        await AssertNothingOverbookedAsync(expectedHolders: 6);
    }

    private async Task AssertNothingOverbookedAsync(int expectedHolders)
    {
        var nodes = await app.App.Services.GetRequiredService<IInventoryStore>().ListNodesAsync();
        foreach (var node in nodes.Select(n => n.Node))
        {
            Assert.All(node.GpuMilliUsed, used => Assert.InRange(used, 0, GpuDemand.MilliPerGpu));
            Assert.InRange(node.CpuUsedMilli, 0, node.CpuMilli);
            Assert.InRange(node.MemoryUsedMiB, 0, node.MemoryMiB);
        }

        var holders = nodes.SelectMany(n => n.Node.Allocations.Keys).ToList();
        Assert.Equal(holders.Count, holders.Distinct().Count());
        Assert.Equal(expectedHolders, holders.Count);
    }

    private static async Task<Dictionary<string, int>> WaitForStatusesAsync(
        HttpClient client, HashSet<string> ids, Func<Dictionary<string, int>, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        Dictionary<string, int> statuses = [];
        while (DateTime.UtcNow < deadline)
        {
            statuses = (await ListAllAsync(client))
                .Where(l => ids.Contains(l.GetProperty("leaseId").GetString()!))
                .GroupBy(l => l.Status())
                .ToDictionary(g => g.Key, g => g.Count());
            if (until(statuses))
            {
                return statuses;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException("Statuses never settled: " + string.Join(", ", statuses.Select(s => $"{s.Key}={s.Value}")));
    }

    private static async Task<List<System.Text.Json.JsonElement>> ListAllAsync(HttpClient client)
    {
        var all = new List<System.Text.Json.JsonElement>();
        string? token = null;
        do
        {
            var page = await (await client.GetAsync("/api/leases?pageSize=200" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)))).JsonAsync();
            all.AddRange(page.GetProperty("items").EnumerateArray());
            token = page.GetProperty("continuationToken").GetString();
        }
        while (token is not null);
        return all;
    }
}
