using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Aisto.Functions.Documentation;
using Aisto.Functions.Tests.Fuzz;

namespace Aisto.Functions.Tests.Isolation;

/// <summary>
/// Who may call what (../API.md §Identity), table-driven over every served route and its documented access: no key
/// and wrong keys → 401, a tenant on operator routes → 403, public routes open; another tenant's lease or pledge,
/// and guessed ids, → 404 with nothing changed.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed partial class IsolationTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    public static TheoryData<string> Protected() => Routes(a => a != RouteAccess.Public);

    public static TheoryData<string> OperatorOnly() => Routes(a => a == RouteAccess.Operator);

    public static TheoryData<string> Public() => Routes(a => a == RouteAccess.Public);

    /// <summary>Authorization headers that must not let anyone in: none, unknown, wrong case, wrong scheme, empty.</summary>
    public static readonly string?[] BadCredentials =
        [null, "Bearer not-a-key", "Bearer AISTO-DEV-TENANT-A", "Basic " + AppHarness.TenantA, "Bearer ", AppHarness.Operator, "Bearer aisto-dev-operator' OR '1'='1"];

    [Theory]
    [MemberData(nameof(Protected))]
    public async Task A_protected_route_answers_401_with_a_challenge_to_no_key_and_to_every_wrong_key(string function)
    {
        using var client = fixture.Client(null);
        foreach (var credential in BadCredentials)
        {
            using var request = Request(function, "lse_000000000000000000000000");
            if (credential is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", credential);
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{function} with '{credential}': {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(OperatorOnly))]
    public async Task An_operator_route_answers_403_to_every_tenant(string function)
    {
        foreach (var tenant in new[] { AppHarness.TenantA, AppHarness.TenantB, SharedAppFixture.TenantC })
        {
            using var client = fixture.Client(tenant);
            using var request = Request(function, "x");

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{function} as {tenant}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [MemberData(nameof(Public))]
    public async Task A_public_route_needs_no_key(string function)
    {
        using var client = fixture.Client(null);
        using var request = Request(function, "0");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True((int)response.StatusCode < 500, $"{function}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task Another_tenants_lease_and_pledge_answer_404_on_every_route_that_names_them_and_stay_unchanged()
    {
        // Arrange: tenant C owns an Active lease with a pledge; tenant D tries everything that names either.
        using var owner = fixture.Client(SharedAppFixture.TenantC);
        using var other = fixture.Client(SharedAppFixture.TenantD);
        using var op = fixture.Client(AppHarness.Operator);
        await op.PostAsJsonAsync("/api/depin/projects", new { projectId = "isolation", name = "Isolation", priority = 1, rewardPerGpuHour = "1", maxGpus = 4 });
        var created = await owner.PostAsync("/api/leases", new StringContent(
            """{"gpuModel":"L40S","gpuCount":2,"durationHours":1,"region":"malaysia"}""", Encoding.UTF8, "application/json"));
        var leaseId = (await created.JsonAsync()).GetProperty("leaseId").GetString()!;
        await owner.WaitForLeaseAsync(leaseId, l => l.Status() == "Active");
        var pledge = await owner.PostAsJsonAsync("/api/depin/pledges", new { leaseId, projectId = "isolation", gpuCount = 1, payoutAddress = "0x00000000000000000000000000000000000000C1" });
        Assert.Equal(HttpStatusCode.Created, pledge.StatusCode);
        var pledgeId = (await pledge.JsonAsync()).GetProperty("pledgeId").GetString()!;
        var owned = new Dictionary<string, string> { ["leaseId"] = leaseId, ["pledgeId"] = pledgeId };

        // Act: every tenant route whose path names a lease or a pledge, and a pledge of the other's lease.
        var tried = new List<string>();
        foreach (var function in FuzzRoutes.Served.Where(f => ApiRoutes.All[f.Name].Access == RouteAccess.Tenant))
        {
            var parameters = PathParameter().Matches(function.Route).Select(m => m.Groups["name"].Value).ToList();
            if (parameters.Count == 0 || !parameters.All(owned.ContainsKey))
            {
                continue;
            }

            using var request = Request(function.Name, parameters.Select(p => owned[p]).First());
            using var response = await other.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{function.Name} on another tenant's {parameters[0]}: {(int)response.StatusCode}");
            tried.Add(function.Name);
        }

        var foreignPledge = await other.PostAsJsonAsync("/api/depin/pledges", new { leaseId, projectId = "isolation", gpuCount = 1, payoutAddress = "0x00000000000000000000000000000000000000D1" });
        var otherList = await (await other.GetAsync("/api/leases")).JsonAsync();

        // Assert: 404 everywhere, nothing of C's is visible to D, and C's lease and pledge are untouched.
        Assert.Equal(["CancelLease", "EndDepinPledge", "ExtendLease", "GetLease"], tried.Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, foreignPledge.StatusCode);
        Assert.DoesNotContain(otherList.GetProperty("items").EnumerateArray(), l => l.GetProperty("leaseId").GetString() == leaseId);
        var lease = await owner.GetLeaseAsync(leaseId);
        Assert.Equal("Active", lease.Status());
        Assert.Equal(HttpStatusCode.OK, (await owner.DeleteAsync($"/api/depin/pledges/{pledgeId}")).StatusCode);
        await owner.DeleteAsync($"/api/leases/{leaseId}");
    }

    [Theory]
    [InlineData("GetLease", "lse_0123456789abcdef01234567")]
    [InlineData("ExtendLease", "lse_ffffffffffffffffffffffff")]
    [InlineData("CancelLease", "lse_000000000000000000000001")]
    [InlineData("EndDepinPledge", "plg_0123456789abcdef01234567")]
    [InlineData("GetDepinTask", "task-1")]
    [InlineData("GetLease", "lse_")]
    [InlineData("GetLease", "*")]
    public async Task A_guessed_id_answers_404_problem(string function, string id)
    {
        using var client = fixture.Client(SharedAppFixture.TenantD);
        using var request = Request(function, id);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static TheoryData<string> Routes(Func<RouteAccess, bool> access) =>
        [.. FuzzRoutes.Served.Where(f => access(ApiRoutes.All[f.Name].Access)).Select(f => f.Name).Order(StringComparer.Ordinal)];

    /// <summary>The function's request with every path parameter set to <paramref name="id"/> and its valid body, if any.</summary>
    private static HttpRequestMessage Request(string function, string id)
    {
        var f = FuzzRoutes.Served.Single(s => s.Name == function);
        var path = "/api/" + PathParameter().Replace(f.Route, id);
        var request = new HttpRequestMessage(new HttpMethod(f.Methods[0].ToUpperInvariant()), path);
        if (FuzzRoutes.ValidBodies.TryGetValue(function, out var body))
        {
            request.Content = new StringContent(body.Replace("{leaseId}", id, StringComparison.Ordinal), Encoding.UTF8, "application/json");
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return request;
    }

    [GeneratedRegex(@"\{\*?(?<name>[A-Za-z]+)\}")]
    private static partial Regex PathParameter();
}
