using System.Net;

namespace Aisto.Functions.Tests;

/// <summary>Per-key rate limiting on the standalone runtime.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class RateLimitTests : IAsyncLifetime
{
    private AppHarness app = null!;

    public async Task InitializeAsync() => app = await AppHarness.StartAsync(new Dictionary<string, string?>
    {
        ["Aisto:Auth:RateLimit:RequestsPerSecond"] = "1",
        ["Aisto:Auth:RateLimit:Burst"] = "5",
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_key_over_its_rate_gets_429_problem_json_with_Retry_After_while_other_keys_go_on()
    {
        using var tenantA = app.Client(AppHarness.TenantA);
        using var tenantB = app.Client(AppHarness.TenantB);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add(await tenantA.GetAsync("/api/leases"));
        }

        Assert.All(answers.Take(5), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var limited = answers.Last();
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await tenantB.GetAsync("/api/leases")).StatusCode);
    }
}
