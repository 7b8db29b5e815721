using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Aisto.Functions.Tests;

/// <summary>
/// Autoscaling end to end on the standalone runtime: fast timers, a short node provisioning delay, demand created
/// through the lease API. The timer runs, forecasts and actions are recorded and served by the API, and the
/// region's nodes follow the plan into the booking sheet, and their arrival wakes the waiting lease, which runs on one.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class AutoscaleEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Region = "singapore";
    private const string Model = "L40S";   // 2 nodes × 8 GPUs in Singapore; the pool may grow to 4

    /// <summary>Generous: an autoscaling run is ~10 activities on the shared storage emulator of a busy machine.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private AppHarness app = null!;

    public async Task InitializeAsync() => app = await AppHarness.StartAsync(new Dictionary<string, string?>
    {
        ["Aisto:Autoscale:Schedule"] = "*/2 * * * * *",
        ["Aisto:Autoscale:RecordSchedule"] = "*/2 * * * * *",
        ["Aisto:Autoscale:NodeLeadTime"] = "00:00:03",
        ["Aisto:Regions:NodeProvisioningDelay"] = "00:00:03",

        // A waiting lease retries only after 10 minutes: within this test's patience it runs only if the nodes'
        // arrival wakes it.
        ["Aisto:Leases:QueueRetryInterval"] = "00:10:00",
        ["Aisto:Leases:QueueRetryMaxInterval"] = "00:10:00",
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Demand_beyond_the_pool_scales_it_out_and_the_new_nodes_wake_the_waiting_lease()
    {
        // Arrange: three 8-GPU leases on a pool of two 8-GPU nodes — two run, one waits.
        using var client = app.Client();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var leases = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var created = await client.PostAsJsonAsync("/api/leases", new
            {
                gpuModel = Model,
                gpuCount = 8,
                cpuCores = 8,
                memoryGiB = 32,
                durationHours = 1,
                region = Region,
            });
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            leases.Add((await created.JsonAsync()).GetProperty("leaseId").GetString()!);
        }

        // Act: the timers do the rest.
        var scaledOut = await WaitForScalingAsync(client, s => Actions(s).Any(a =>
            a.GetProperty("poolId").GetString() == "l40s" &&
            a.GetProperty("direction").GetString() == "out" &&
            a.GetProperty("applied").GetBoolean()));
        var decidedAfter = clock.Elapsed;
        var active = new List<JsonElement>();
        foreach (var lease in leases)
        {
            active.Add(await client.WaitForLeaseAsync(lease, l => l.Status() == "Active", Patience));
        }

        var allActiveAfter = clock.Elapsed;

        // Assert: the decision names the forecast and the nodes asked for …
        var action = Actions(scaledOut).First(a => a.GetProperty("poolId").GetString() == "l40s" && a.GetProperty("direction").GetString() == "out");
        Assert.True(action.GetProperty("targetGpus").GetDouble() >= 24, action.ToString());
        Assert.True(action.GetProperty("outcome").GetProperty("nodesProvisioned").GetInt32() >= 1, action.ToString());

        // … the pool reports the new nodes ready, and the booking sheet has them …
        var scaling = await WaitForScalingAsync(client, s => Pool(s).GetProperty("readyNodes").GetInt32() >= 3);
        output.WriteLine($"scale-out recorded after {decidedAfter.TotalSeconds:F1} s, all three leases Active after {allActiveAfter.TotalSeconds:F1} s");
        output.WriteLine(action.ToString());
        var pool = Pool(scaling);
        Assert.Equal(pool.GetProperty("desiredNodes").GetInt32(), pool.GetProperty("readyNodes").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, pool.GetProperty("latestForecast").ValueKind);
        Assert.NotEmpty(pool.GetProperty("forecastVsActual").GetProperty("points").EnumerateArray());
        var regions = await (await client.GetAsync("/api/regions")).JsonAsync();
        var l40s = regions.GetProperty("items").EnumerateArray().First(r => r.GetProperty("id").GetString() == Region)
            .GetProperty("gpus").EnumerateArray().First(g => g.GetProperty("model").GetString() == Model);
        Assert.Equal(pool.GetProperty("readyNodes").GetInt32(), l40s.GetProperty("nodes").GetInt32());

        // … and the lease that waited runs on one of them.
        var nodes = active.Select(l => l.GetProperty("placement").GetProperty("nodes")[0].GetString()!).ToList();
        Assert.Contains(nodes, n => n is not ("singapore-l40s-01" or "singapore-l40s-02"));

        foreach (var lease in leases)
        {
            await client.DeleteAsync($"/api/leases/{lease}");
        }
    }

    [Fact]
    public async Task The_scaling_route_needs_a_key_knows_its_regions_and_names_a_bad_window()
    {
        using var anonymous = app.Client(apiKey: null);
        using var client = app.Client();

        var unauthorized = await anonymous.GetAsync($"/api/regions/{Region}/scaling");
        var unknown = await client.GetAsync("/api/regions/atlantis/scaling");
        var badWindow = await client.GetAsync($"/api/regions/{Region}/scaling?hours=0");
        var ok = await client.GetAsync($"/api/regions/{Region}/scaling?hours=1");

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, badWindow.StatusCode);
        Assert.True((await badWindow.JsonAsync()).GetProperty("errors").TryGetProperty("hours", out _));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(4, (await ok.JsonAsync()).GetProperty("pools").GetArrayLength());
    }

    private static IEnumerable<JsonElement> Actions(JsonElement scaling) => scaling.GetProperty("actions").EnumerateArray();

    private static JsonElement Pool(JsonElement scaling) =>
        scaling.GetProperty("pools").EnumerateArray().First(p => p.GetProperty("poolId").GetString() == "l40s");

    private static async Task<JsonElement> WaitForScalingAsync(HttpClient client, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow + Patience;
        JsonElement scaling = default;
        while (DateTime.UtcNow < deadline)
        {
            scaling = await (await client.GetAsync($"/api/regions/{Region}/scaling?hours=1")).JsonAsync();
            if (until(scaling))
            {
                return scaling;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"Scaling did not reach the expected state; last seen: {scaling}");
    }
}
