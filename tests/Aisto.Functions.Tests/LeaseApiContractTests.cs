using System.Net;
using System.Net.Http.Json;
using System.Text;
using Aisto.Infrastructure.Storage;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>The HTTP contract of ../API.md §Identity and §Leases: keys, tenant isolation, validation, idempotency.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class LeaseApiContractTests : IAsyncLifetime
{
    private const string ValidBody = """{ "gpuModel": "A100", "gpuCount": 1, "durationHours": 1, "region": "us-east" }""";
    private AppHarness app = null!;

    public async Task InitializeAsync() => app = await AppHarness.StartAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    [InlineData("AISTO-DEV-TENANT-A")]
    public async Task Requests_without_a_valid_key_get_401_problem(string? key)
    {
        using var client = app.Client(key);

        var responses = new[]
        {
            await client.PostAsync("/api/leases", Json(ValidBody)),
            await client.GetAsync("/api/leases"),
            await client.GetAsync("/api/leases/lse_000000000000000000000000"),
            await client.DeleteAsync("/api/leases/lse_000000000000000000000000"),
        };

        Assert.All(responses, r =>
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", r.Headers.WwwAuthenticate.ToString());
        });
    }

    [Fact]
    public async Task Health_and_regions_need_no_key()
    {
        using var client = app.Client(apiKey: null);

        var health = await client.GetAsync("/api/health");
        var regions = await (await client.GetAsync("/api/regions")).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(
            ["us-east", "singapore", "malaysia"],
            regions.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Another_tenant_gets_404_for_a_lease_it_does_not_own()
    {
        using var owner = app.Client(AppHarness.TenantA);
        using var other = app.Client(AppHarness.TenantB);
        var leaseId = (await (await owner.PostAsync("/api/leases", Json(ValidBody))).JsonAsync()).GetProperty("leaseId").GetString()!;

        var get = await other.GetAsync($"/api/leases/{leaseId}");
        var extend = await other.PostAsJsonAsync($"/api/leases/{leaseId}/extend", new { additionalHours = 1 });
        var cancel = await other.DeleteAsync($"/api/leases/{leaseId}");
        var list = await (await other.GetAsync("/api/leases")).JsonAsync();

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, extend.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), l => l.GetProperty("leaseId").GetString() == leaseId);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/leases/{leaseId}")).StatusCode);
        await owner.DeleteAsync($"/api/leases/{leaseId}");
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("[]", "body")]
    [InlineData("{ not json", "body")]
    [InlineData("""{ "gpuModel": 5, "gpuCount": 1, "durationHours": 1 }""", "gpuModel")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": "two", "durationHours": 1 }""", "gpuCount")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 99, "durationHours": 1 }""", "gpuCount")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1.5, "durationHours": 1 }""", "gpuCount")]
    [InlineData("""{ "gpuModel": "TPUv5", "gpuCount": 1, "durationHours": 1 }""", "gpuModel")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 0 }""", "durationHours")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1e400 }""", "durationHours")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1 }""", "durationHours")]
    [InlineData("""{ "gpuModel": "H100", "durationHours": 1 }""", "gpuCount")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "gpuFraction": 0.5, "durationHours": 1 }""", "gpuFraction")]
    [InlineData("""{ "gpuModel": "H100", "gpuFraction": 0.95, "durationHours": 1 }""", "gpuFraction")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "class": "cheap" }""", "class")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "region": "mars" }""", "region")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "clientLocation": { "lat": 91, "lon": 0 } }""", "clientLocation.lat")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "workload": { "command": ["x"] } }""", "workload.image")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "gpuCont": 2 }""", "gpuCont")]
    [InlineData("""{ "gpuModel": "H100", "gpuCount": 1, "durationHours": 1, "pool": "incubation" }""", "pool")]
    public async Task A_bad_lease_body_gets_400_problem_naming_the_field(string body, string field)
    {
        using var client = app.Client();
        var before = await (await client.GetAsync("/api/leases")).JsonAsync();

        var response = await client.PostAsync("/api/leases", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
        Assert.NotEmpty(messages.EnumerateArray());
        var after = await (await client.GetAsync("/api/leases")).JsonAsync();
        Assert.Equal(before.GetProperty("items").GetArrayLength(), after.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_lease_and_another_body_conflicts()
    {
        using var client = app.Client();
        HttpRequestMessage Post(string body) => new(HttpMethod.Post, "/api/leases")
        {
            Content = Json(body),
            Headers = { { "Idempotency-Key", "order-42" } },
        };

        var first = await client.SendAsync(Post(ValidBody));
        var second = await client.SendAsync(Post(ValidBody));
        var different = await client.SendAsync(Post(ValidBody.Replace("\"gpuCount\": 1", "\"gpuCount\": 2", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var id = (await first.JsonAsync()).GetProperty("leaseId").GetString();
        Assert.Equal(id, (await second.JsonAsync()).GetProperty("leaseId").GetString());
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        var leases = (await (await client.GetAsync("/api/leases")).JsonAsync()).GetProperty("items").EnumerateArray();
        Assert.Single(leases, l => l.GetProperty("leaseId").GetString() == id);
        await client.DeleteAsync($"/api/leases/{id}");
    }

    [Fact]
    public async Task Extending_a_lease_that_is_not_active_is_a_conflict()
    {
        using var client = app.Client();
        var leaseId = (await (await client.PostAsync("/api/leases", Json(
            """{ "gpuModel": "A100", "gpuCount": 1, "cpuCores": 200, "durationHours": 1 }"""))).JsonAsync()).GetProperty("leaseId").GetString();

        var extend = await client.PostAsJsonAsync($"/api/leases/{leaseId}/extend", new { additionalHours = 1 });
        var badExtend = await client.PostAsJsonAsync($"/api/leases/{leaseId}/extend", new { additionalHours = -1 });

        Assert.Equal(HttpStatusCode.Conflict, extend.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badExtend.StatusCode);
        Assert.True((await badExtend.JsonAsync()).GetProperty("errors").TryGetProperty("additionalHours", out _));
        await client.DeleteAsync($"/api/leases/{leaseId}");
    }

    [Fact]
    public async Task Listing_by_status_accepts_only_known_statuses()
    {
        using var client = app.Client();

        var ok = await client.GetAsync("/api/leases?status=Active");
        var bad = await client.GetAsync("/api/leases?status=Sleeping");
        var badToken = await client.GetAsync("/api/leases?continuationToken=%27%3Bdrop");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotEqual(HttpStatusCode.InternalServerError, badToken.StatusCode);
    }

    [Fact]
    public async Task A_stored_lease_row_that_cannot_be_read_is_left_out_of_the_listing_while_a_bad_token_is_still_named()
    {
        // Arrange: tenant A has one good lease and two damaged rows (an unknown status, a request that is not JSON).
        using var client = app.Client();
        var leaseId = (await (await client.PostAsync("/api/leases", Json(ValidBody))).JsonAsync()).GetProperty("leaseId").GetString()!;
        var leases = await app.App.Services.GetRequiredService<AistoTables>().GetAsync("leases");
        await leases.AddEntityAsync(new TableEntity("tenant-a", "lse_damaged00000000000000001") { ["Status"] = "Sleeping", ["Request"] = "{}" });
        await leases.AddEntityAsync(new TableEntity("tenant-a", "lse_damaged00000000000000002") { ["Status"] = "Queued", ["Request"] = "{ not json" });

        // Act: whole listing, and page by page (one row a page, so the tokens the API issued are used).
        var list = await client.GetAsync("/api/leases");
        var paged = new List<string?>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await (await client.GetAsync("/api/leases?pageSize=1" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)))).JsonAsync();
            paged.AddRange(page.GetProperty("items").EnumerateArray().Select(l => l.GetProperty("leaseId").GetString()));
            token = page.GetProperty("continuationToken").GetString();
            pages++;
        }
        while (token is not null && pages < 10);
        var badToken = await client.GetAsync("/api/leases?continuationToken=" + Uri.EscapeDataString("not a token"));

        // Assert: the good lease is listed, the damaged rows are skipped, and only a bad token blames the token.
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal([leaseId], (await list.JsonAsync()).GetProperty("items").EnumerateArray().Select(l => l.GetProperty("leaseId").GetString()));
        Assert.Equal([leaseId], paged);
        Assert.True(pages >= 2, "the listing was paged with issued tokens");
        Assert.Equal(HttpStatusCode.BadRequest, badToken.StatusCode);
        Assert.True((await badToken.JsonAsync()).GetProperty("errors").TryGetProperty("continuationToken", out _));
        await client.DeleteAsync($"/api/leases/{leaseId}");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
