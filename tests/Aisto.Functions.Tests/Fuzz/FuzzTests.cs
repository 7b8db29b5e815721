using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Aisto.Orchestrations.Leases;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Aisto.Functions.Tests.Fuzz;

/// <summary>
/// Hostile input against every route of the running app: never a 5xx, every rejection problem+json (a 400 names the
/// fields at fault), and nothing stored for a rejected request. CI runs 1,000 cases; the full campaign is
/// <c>AISTO_FUZZ_CASES=10000 dotnet test tests/Aisto.Functions.Tests --filter FullyQualifiedName~FuzzTests</c>
/// (<c>AISTO_FUZZ_SEED</c> replays a run).
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class FuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string LeaseBody =
        """{"gpuModel":"L40S","gpuCount":1,"cpuCores":4,"memoryGiB":16,"durationHours":1,"class":"onDemand","pool":"leasing","purpose":"inference","region":"malaysia","clientLocation":{"lat":1.35,"lon":103.8},"maxLatencyMs":200,"workload":{"image":"ghcr.io/org/app:1","command":["run"],"env":{"A":"1"}}}""";

    public static readonly FuzzRoute[] Routes =
    [
        new("create lease", HttpMethod.Post, "/api/leases", LeaseBody),
        new("get lease", HttpMethod.Get, "/api/leases/{id}", null),
        new("list leases", HttpMethod.Get, "/api/leases", null),
        new("extend lease", HttpMethod.Post, "/api/leases/{id}/extend", """{"additionalHours":2}"""),
        new("cancel lease", HttpMethod.Delete, "/api/leases/{id}", null),
        new("regions", HttpMethod.Get, "/api/regions", null),
        new("health", HttpMethod.Get, "/api/health", null),
    ];

    private AppHarness app = null!;

    public async Task InitializeAsync() => app = await AppHarness.StartAsync(new Dictionary<string, string?>
    {
        // The campaign sends thousands of requests with one key; the limiter has its own test.
        ["Aisto:Auth:RateLimit:RequestsPerSecond"] = "100000",
        ["Aisto:Auth:RateLimit:Burst"] = "100000",
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Hostile_input_on_every_route_gets_a_clear_4xx_never_a_5xx_and_writes_nothing_it_rejects()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("AISTO_FUZZ_CASES"), out var c) ? c : 1000;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("AISTO_FUZZ_SEED"), out var s) ? s : 20261125;
        // Raw UTF-8 header bytes are hostile input too; the default handler refuses to send them.
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 })
        {
            BaseAddress = app.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AppHarness.TenantB);
        var failures = new List<string>();
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        var byStatus = new SortedDictionary<int, int>();

        foreach (var fuzz in HostileInputs.Generate(Routes, count, seed))
        {
            using var request = new HttpRequestMessage(fuzz.Method, fuzz.Path);
            if (fuzz.Body is not null)
            {
                request.Content = new ByteArrayContent(fuzz.Body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            foreach (var (name, value) in fuzz.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (fuzz.Method == HttpMethod.Post && !fuzz.Headers.ContainsKey("Idempotency-Key"))
            {
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            }

            using var noAnswer = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, noAnswer.Token);
            }
            catch (OperationCanceledException)
            {
                failures.Add($"no answer within 20 s for {fuzz}");
                continue;
            }

            using var answered = response;
            var status = (int)response.StatusCode;
            byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            if (status >= 500)
            {
                failures.Add($"{status} for {fuzz}: {text}");
                continue;
            }

            if (status >= 400)
            {
                // Kestrel itself refuses a NUL in the URL path (400), a request line over its limit (414) and oversized
                // headers (431) with a bare status before any app code runs (it cannot be customised); these are still
                // clean rejections, and nothing was written.
                var kestrelRejectedPath = text.Length == 0
                    && ((status == 400 && fuzz.Path.Contains("%00", StringComparison.Ordinal)) || status == 414 || status == 431);
                if (!kestrelRejectedPath && Problem(response, text, status) is { } wrong)
                {
                    failures.Add($"{wrong} for {fuzz}: {text}");
                }
            }
            else if (fuzz.Route == "create lease" && status == 202)
            {
                accepted.Add(JsonDocument.Parse(text).RootElement.GetProperty("leaseId").GetString()!);
            }
        }

        output.WriteLine($"{count} cases (seed {seed}): " + string.Join(", ", byStatus.Select(kv => $"{kv.Key}×{kv.Value}")));
        foreach (var failure in failures)
        {
            output.WriteLine("FUZZ: " + failure);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} bad answers, first ones:\n" + string.Join("\n", failures.Take(10)));

        // Nothing half-written: the tenant holds exactly the leases it was told were accepted.
        var stored = await app.App.Services.GetRequiredService<ILeaseStore>().ListAsync("tenant-b", null, null, 1000);
        Assert.Equal(accepted.Order(StringComparer.Ordinal), stored.Items.Select(l => l.LeaseId).Order(StringComparer.Ordinal));
    }

    /// <summary>Why a 4xx answer is not a proper problem, or null when it is.</summary>
    private static string? Problem(HttpResponseMessage response, string text, int status)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} without problem+json ({response.Content.Headers.ContentType})";
        }

        using var problem = JsonDocument.Parse(text);
        if (!problem.RootElement.TryGetProperty("status", out var s) || s.GetInt32() != status || !problem.RootElement.TryGetProperty("title", out _))
        {
            return $"{status} problem without status/title";
        }

        if (status == (int)HttpStatusCode.BadRequest
            && (!problem.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object || !errors.EnumerateObject().Any()))
        {
            return "400 that names no field";
        }

        return null;
    }
}
