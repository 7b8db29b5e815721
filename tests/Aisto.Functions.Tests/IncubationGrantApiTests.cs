using System.Net;
using System.Text;
using System.Text.Json;
using Aisto.Domain.Ledger;
using Aisto.Orchestrations.Incubation;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>
/// Incubation grants (../API.md §Incubation grants) and incubation leases on the standalone runtime. The tests share
/// one app; each gives grants to a tenant no other test gives any (a, c or d), and tenant b never gets one.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class IncubationGrantApiTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly AppHarness app = fixture.App;
    private readonly SharedAppFixture shared = fixture;

    [Fact]
    public async Task An_operator_issues_a_grant_the_tenant_sees_only_its_own_and_a_tenant_cannot_issue_one()
    {
        using var op = shared.Client(AppHarness.Operator);
        using var tenantA = shared.Client(AppHarness.TenantA);
        using var tenantB = shared.Client(AppHarness.TenantB);

        var created = await op.PostAsync("/api/incubation/grants", Grant("tenant-a", 10));
        var byTenant = await tenantA.PostAsync("/api/incubation/grants", Grant("tenant-a", 10));
        var seenByA = await ItemsAsync(tenantA);
        var seenByB = await ItemsAsync(tenantB);
        var seenByOperator = await ItemsAsync(op);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var grant = await created.JsonAsync();
        var id = grant.GetProperty("id").GetString()!;
        Assert.Equal($"/api/incubation/grants/{id}", created.Headers.Location?.ToString());
        Assert.Equal("tenant-a", grant.GetProperty("tenantId").GetString());
        Assert.Equal("10.000000", grant.GetProperty("gpuHours").GetString());
        Assert.Equal("0.000000", grant.GetProperty("usedGpuHours").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, byTenant.StatusCode);
        Assert.Equal(id, Assert.Single(seenByA).GetProperty("id").GetString());
        Assert.Empty(seenByB);
        Assert.Contains(seenByOperator, g => g.GetProperty("id").GetString() == id);
    }

    [Theory]
    [InlineData("""{ "gpuHours": 10, "expiresAt": "2099-01-01T00:00:00Z" }""", "tenantId")]
    [InlineData("""{ "tenantId": "tenant-a", "gpuHours": 0, "expiresAt": "2099-01-01T00:00:00Z" }""", "gpuHours")]
    [InlineData("""{ "tenantId": "tenant-a", "gpuHours": 10, "expiresAt": "soon" }""", "expiresAt")]
    [InlineData("""{ "tenantId": "tenant-a", "gpuHours": 10, "expiresAt": "2001-01-01T00:00:00Z" }""", "expiresAt")]
    public async Task A_bad_grant_gets_400_naming_the_field(string body, string field)
    {
        using var op = shared.Client(AppHarness.Operator);

        var response = await op.PostAsync("/api/incubation/grants", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}");
    }

    [Fact]
    public async Task An_incubation_lease_draws_the_grant_once_per_idempotency_key_and_a_lease_too_big_for_what_is_left_gets_400_on_pool()
    {
        // Arrange: 10 GPU-hours for tenant C; tenant B has none.
        using var op = shared.Client(AppHarness.Operator);
        using var tenantC = shared.Client(SharedAppFixture.TenantC);
        using var tenantB = shared.Client(AppHarness.TenantB);
        await op.PostAsync("/api/incubation/grants", Grant("tenant-c", 10));
        const string SixGpuHours = """{ "gpuModel": "A100", "gpuCount": 2, "durationHours": 3, "pool": "incubation" }""";

        // Act: one 6 GPU-hour lease sent twice with one key, then another that does not fit in the 4 left.
        var first = await PostLeaseAsync(tenantC, SixGpuHours, "incubation-1");
        var retried = await PostLeaseAsync(tenantC, SixGpuHours, "incubation-1");
        var tooBig = await PostLeaseAsync(tenantC, SixGpuHours, "incubation-2");
        var noGrant = await PostLeaseAsync(tenantB, SixGpuHours, null);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var lease = await first.JsonAsync();
        Assert.Equal(lease.GetProperty("leaseId").GetString(), (await retried.JsonAsync()).GetProperty("leaseId").GetString());
        Assert.Equal("0.000000", lease.GetProperty("pricePerHour").GetString());
        Assert.Equal("6.000000", Assert.Single(await ItemsAsync(tenantC)).GetProperty("usedGpuHours").GetString());
        await AssertPoolProblemAsync(tooBig, "4 left");
        await AssertPoolProblemAsync(noGrant, "has none");
        await tenantC.DeleteAsync($"/api/leases/{lease.GetProperty("leaseId").GetString()}");
    }

    [Fact]
    public async Task An_ended_incubation_lease_gives_back_what_it_did_not_use_once_and_books_what_it_used_as_a_platform_cost()
    {
        // Arrange: a 6 GPU-hour incubation lease drawn through the API; it ends after 30 minutes of its 3 hours
        // (the ended record is built here: when the lease lifecycle calls this is the lifecycle's business).
        using var op = shared.Client(AppHarness.Operator);
        using var tenantD = shared.Client(SharedAppFixture.TenantD);
        await op.PostAsync("/api/incubation/grants", Grant("tenant-d", 10));
        var leaseId = (await (await PostLeaseAsync(
            tenantD, """{ "gpuModel": "A100", "gpuCount": 2, "durationHours": 3, "pool": "incubation", "region": "us-east" }""", null))
            .JsonAsync()).GetProperty("leaseId").GetString()!;
        await tenantD.DeleteAsync($"/api/leases/{leaseId}");
        var lease = (await app.App.Services.GetRequiredService<ILeaseStore>().FindAsync(leaseId))!;
        var activeAt = lease.RequestedAt.AddSeconds(5);
        var ended = lease with
        {
            Status = Aisto.Domain.Leases.LeaseStatus.Released,
            Placement = new LeasePlacement("us-east", "us-east-gpu", ["us-east-a100-01"]),
            ActiveAt = activeAt,
            ExpiresAt = activeAt.AddHours(3),
            EndedAt = activeAt.AddMinutes(30),
        };
        var grants = app.App.Services.GetRequiredService<IncubationGrants>();

        // Act: the lease end hands the lease over (twice, as a retried activity would).
        var returned = await grants.ReturnUnusedAsync(ended, CancellationToken.None);
        var again = await grants.ReturnUnusedAsync(ended, CancellationToken.None);

        // Assert: 2 GPUs × 0.5 h used, 5 of the 6 drawn given back, and the cost in the ledger once.
        Assert.Equal(5m, returned);
        Assert.Equal(returned, again);
        var grant = Assert.Single(await ItemsAsync(tenantD));
        Assert.Equal("1.000000", grant.GetProperty("usedGpuHours").GetString());
        Assert.Equal("9.000000", grant.GetProperty("remainingGpuHours").GetString());
        var epoch = app.App.Services.GetRequiredService<EpochCalendar>().EpochOf(ended.EndedAt.Value);
        var cost = (await app.App.Services.GetRequiredService<ILedgerStore>().ListAsync(epoch))
            .Where(e => e.Kind == LedgerEntryKind.IncubationGrant && e.Reference == leaseId).ToList();
        Assert.Equal(1.79m, Assert.Single(cost).AmountUsd);   // 1 GPU-hour of A100 on demand in us-east
    }

    private static async Task AssertPoolProblemAsync(HttpResponseMessage response, string reason)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var pool = (await response.JsonAsync()).GetProperty("errors").GetProperty("pool")[0].GetString()!;
        Assert.Contains(reason, pool, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> PostLeaseAsync(HttpClient client, string body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/leases") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await client.SendAsync(request);
    }

    private static async Task<JsonElement[]> ItemsAsync(HttpClient client) =>
        [.. (await (await client.GetAsync("/api/incubation/grants")).JsonAsync()).GetProperty("items").EnumerateArray()];

    private static StringContent Grant(string tenantId, decimal gpuHours) => new(
        JsonSerializer.Serialize(new { tenantId, gpuHours, expiresAt = DateTimeOffset.UtcNow.AddDays(30) }), Encoding.UTF8, "application/json");
}
