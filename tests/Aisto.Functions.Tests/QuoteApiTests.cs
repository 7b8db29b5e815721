using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>
/// <c>POST /api/quotes</c> and queued leases' estimated waits (../API.md §Leases) on the standalone runtime, with the
/// configured fleet: H100 in us-east (6 nodes), singapore (3, ×1.1 price) and malaysia (2, ×0.9). The tests share
/// one app: only the last one books anything, and it books L40S in singapore, which no other test quotes.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class QuoteApiTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly AppHarness app = fixture.App;
    private readonly SharedAppFixture shared = fixture;

    [Fact]
    public async Task A_quote_offers_each_region_with_the_model_cheapest_first_spot_below_on_demand_and_books_nothing()
    {
        using var client = shared.Client();
        var before = await BookedH100MilliAsync();

        var onDemand = await QuoteAsync(client, """{ "gpuModel": "H100", "gpuCount": 2, "durationHours": 3 }""");
        var spot = await QuoteAsync(client, """{ "gpuModel": "H100", "gpuCount": 2, "durationHours": 3, "class": "spot" }""");

        Assert.Equal(["malaysia", "us-east", "singapore"], onDemand.Select(o => o.GetProperty("region").GetString()));
        Assert.All(onDemand, o => Assert.Equal(0, o.GetProperty("estimatedWaitSeconds").GetInt64()));
        Assert.Equal("5.382000", onDemand[0].GetProperty("pricePerHour").GetString());   // 2.99 × 0.9 × 2 GPUs
        Assert.Equal("16.146000", onDemand[0].GetProperty("total").GetString());         // × 3 h
        Assert.Equal("2.152800", spot[0].GetProperty("pricePerHour").GetString());       // × 0.4 while idle
        Assert.All(spot.Zip(onDemand), p => Assert.True(Money(p.First, "total") < Money(p.Second, "total")));
        Assert.Equal(before, await BookedH100MilliAsync());
    }

    [Fact]
    public async Task A_quote_respects_the_latency_budget_from_the_client_location_and_a_pinned_region()
    {
        using var client = shared.Client();

        var near = await QuoteAsync(
            client, """{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "clientLocation": { "lat": 1.35, "lon": 103.82 }, "maxLatencyMs": 40 }""");
        var pinned = await QuoteAsync(client, """{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "region": "us-east" }""");

        Assert.Equal(["malaysia", "singapore"], near.Select(o => o.GetProperty("region").GetString()));
        Assert.All(near, o => Assert.InRange(o.GetProperty("estimatedLatencyMs").GetDouble(), 5, 40));
        Assert.Equal("us-east", Assert.Single(pinned).GetProperty("region").GetString());
    }

    [Theory]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 0, "durationHours": 1 }""", "gpuCount")]
    [InlineData("""{ "gpuModel": "B200", "gpuCount": 1, "durationHours": 1 }""", "gpuModel")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "region": "mars" }""", "region")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1 }""", "durationHours")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "clientLocation": { "lat": -80, "lon": 0 }, "maxLatencyMs": 20 }""", "maxLatencyMs")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "surprise": true }""", "surprise")]
    public async Task A_bad_quote_request_gets_400_naming_the_field(string body, string field)
    {
        using var client = shared.Client();

        var response = await client.PostAsync("/api/quotes", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}");
    }

    [Fact]
    public async Task A_quote_needs_a_key()
    {
        using var client = shared.Client(apiKey: null);

        var response = await client.PostAsync("/api/quotes", Json("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1 }"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task When_a_region_is_full_its_queued_lease_and_a_quote_both_expect_to_wait_for_the_running_leases_to_expire()
    {
        // Arrange: singapore's 16 L40S taken by two 8-GPU leases of one hour, then one more queued there.
        using var client = shared.Client(SharedAppFixture.TenantC);
        const string Full = """{ "gpuModel": "L40S", "gpuCount": 8, "durationHours": 1, "region": "singapore" }""";
        var running = new List<string>();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            running.Add((await (await client.PostAsync("/api/leases", Json(Full))).JsonAsync()).GetProperty("leaseId").GetString()!);
        }

        foreach (var id in running)
        {
            await client.WaitForLeaseAsync(id, l => l.Status() == "Active", TimeSpan.FromMinutes(3));
        }

        // Act
        var created = await (await client.PostAsync("/api/leases", Json(Full))).JsonAsync();
        var queuedId = created.GetProperty("leaseId").GetString()!;
        var queued = await client.WaitForLeaseAsync(queuedId, l => l.Status() == "Queued" && l.GetProperty("queue").GetProperty("estimatedWaitSeconds").ValueKind == JsonValueKind.Number);
        var quote = await QuoteAsync(client, """{ "gpuModel": "L40S", "gpuCount": 8, "durationHours": 1, "region": "singapore", "class": "spot" }""");

        // Assert: both wait about the hour the running leases have left (the create answer says so already); spot costs
        // on-demand in a full region.
        Assert.True(created.GetProperty("queue").GetProperty("position").GetInt32() >= 1);
        Assert.InRange(created.GetProperty("queue").GetProperty("estimatedWaitSeconds").GetInt64(), 3500, 3600);
        Assert.InRange(queued.GetProperty("queue").GetProperty("estimatedWaitSeconds").GetInt64(), 3500, 3600);
        var option = Assert.Single(quote);
        Assert.InRange(option.GetProperty("estimatedWaitSeconds").GetInt64(), 3500, 3600);
        Assert.Equal("8.712000", option.GetProperty("pricePerHour").GetString());     // 0.99 × 1.1 × 8, spot at 100 % use
        foreach (var id in running.Append(queuedId))
        {
            await client.DeleteAsync($"/api/leases/{id}");
        }
    }

    private async Task<long> BookedH100MilliAsync() =>
        (await app.App.Services.GetRequiredService<IInventoryStore>().ListNodesAsync())
        .Where(n => n.Node.Model == "H100")
        .Sum(n => n.Node.Allocations.Values.Sum(a => (long)a.TotalGpuMilli));

    private static async Task<JsonElement[]> QuoteAsync(HttpClient client, string body)
    {
        var response = await client.PostAsync("/api/quotes", Json(body));
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
        return [.. json.GetProperty("options").EnumerateArray()];
    }

    private static decimal Money(JsonElement option, string name) =>
        decimal.Parse(option.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
