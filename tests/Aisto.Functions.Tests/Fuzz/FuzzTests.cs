using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aisto.Infrastructure.Json;
using Aisto.Infrastructure.Queues;
using Aisto.Orchestrations.Depin;
using Aisto.Orchestrations.Leases;
using Azure.Storage.Queues;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Aisto.Functions.Tests.Fuzz;

/// <summary>
/// Hostile input against every route of the running app and against the DePIN intake queue: never a 5xx, every
/// rejection problem+json (a 400 names the fields at fault), nothing stored for a rejected request, every rejected
/// message in the poison queue with its reason and no task started for it. CI runs 1,000 HTTP cases and 100
/// messages; the full campaign is
/// <c>AISTO_FUZZ_CASES=10000 dotnet test tests/Aisto.Functions.Tests --filter FullyQualifiedName~Fuzz</c>
/// (<c>AISTO_FUZZ_SEED</c> replays a run; the queue gets a tenth of the cases).
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class FuzzTests(FuzzTests.FuzzApp fuzzApp, ITestOutputHelper output) : IClassFixture<FuzzTests.FuzzApp>
{
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("AISTO_FUZZ_CASES"), out var c) ? c : 1000;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("AISTO_FUZZ_SEED"), out var s) ? s : 20261125;

    private AppHarness App => fuzzApp.App;

    [Fact]
    public async Task Hostile_input_on_every_route_gets_a_clear_4xx_never_a_5xx_and_writes_nothing_it_rejects()
    {
        // Raw UTF-8 header bytes are hostile input too; the default handler refuses to send them.
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = App.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var routes = FuzzRoutes.All(AppHarness.TenantB, AppHarness.Operator, fuzzApp.LeaseId);
        var failures = new List<string>();
        var accepted = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var byRoute = routes.ToDictionary(r => r.Name, _ => new SortedDictionary<int, int>(), StringComparer.Ordinal);

        foreach (var fuzz in HostileInputs.Generate(routes, Cases, Seed))
        {
            var route = routes.First(r => r.Name == fuzz.Route);
            using var request = new HttpRequestMessage(fuzz.Method, fuzz.Path);
            if (route.ApiKey is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", route.ApiKey);
            }

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
                // Headers first: the monitor stream's body never ends.
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, noAnswer.Token);
            }
            catch (OperationCanceledException)
            {
                failures.Add($"no answer within 20 s for {fuzz}");
                continue;
            }

            using var answered = response;
            var status = (int)response.StatusCode;
            byRoute[fuzz.Route][status] = byRoute[fuzz.Route].GetValueOrDefault(status) + 1;
            if (status == 200 && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                continue;
            }

            var text = await response.Content.ReadAsStringAsync(noAnswer.Token);
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
            else if (CreatedId(fuzz.Route, text) is { } created)
            {
                (accepted.TryGetValue(fuzz.Route, out var ids) ? ids : accepted[fuzz.Route] = new(StringComparer.Ordinal)).Add(created);
            }
        }

        output.WriteLine($"{Cases} HTTP cases (seed {Seed}) over {routes.Count} routes:");
        foreach (var (route, statuses) in byRoute)
        {
            output.WriteLine($"  {route}: {statuses.Values.Sum()} ({string.Join(", ", statuses.Select(kv => $"{kv.Key}×{kv.Value}"))})");
        }

        output.WriteLine("  all: " + string.Join(", ", byRoute.Values.SelectMany(v => v).GroupBy(kv => kv.Key).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Sum(kv => kv.Value)}")));
        foreach (var failure in failures)
        {
            output.WriteLine("FUZZ: " + failure);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} bad answers, first ones:\n" + string.Join("\n", failures.Take(10)));

        // Nothing half-written: each table holds exactly what the API said it accepted.
        var stored = await App.App.Services.GetRequiredService<ILeaseStore>().ListAsync("tenant-b", null, null, 1000);
        Assert.Equal(Accepted("CreateLease").Append(fuzzApp.LeaseId).Order(StringComparer.Ordinal), stored.Items.Select(l => l.LeaseId).Order(StringComparer.Ordinal));
        var pledges = await App.App.Services.GetRequiredService<IDepinStore>().ListPledgesAsync(null);
        Assert.Equal(Accepted("CreateDepinPledge").Order(StringComparer.Ordinal), pledges.Select(p => p.Pledge.PledgeId).Order(StringComparer.Ordinal));
        using var op = App.Client(AppHarness.Operator);
        var grants = await (await op.GetAsync("/api/incubation/grants")).JsonAsync();
        Assert.Equal(Accepted("CreateIncubationGrant").Order(StringComparer.Ordinal), Items(grants, "id").Order(StringComparer.Ordinal));
        var projects = await (await op.GetAsync("/api/depin/projects")).JsonAsync();
        Assert.Equal(Accepted("CreateDepinProject").Append(FuzzRoutes.Project).Order(StringComparer.Ordinal), Items(projects, "projectId").Order(StringComparer.Ordinal));
        var epochs = await (await op.GetAsync("/api/payouts/epochs")).JsonAsync();
        Assert.Subset(Accepted("StartPayoutEpoch").ToHashSet(StringComparer.Ordinal), Items(epochs, "epoch").ToHashSet(StringComparer.Ordinal));

        IEnumerable<string> Accepted(string route) => accepted.TryGetValue(route, out var ids) ? ids : [];
    }

    [Fact]
    public async Task Hostile_intake_messages_land_in_the_poison_queue_with_their_reason_start_no_task_and_never_stop_the_trigger()
    {
        var queues = App.App.Services.GetRequiredService<StorageQueues>();
        var intake = queues.Get(App.Prefix + "-depin");
        var poison = queues.Get(App.Prefix + "-depin" + StorageQueues.PoisonSuffix);
        await intake.CreateIfNotExistsAsync();
        var count = Math.Max(20, Cases / 10);
        var sent = HostileMessages(count, Seed).ToList();

        await Parallel.ForEachAsync(sent, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (m, ct) => await intake.SendMessageAsync(m.Wire, ct));
        await WaitForDrainedAsync(intake, TimeSpan.FromSeconds(60 + (count / 10)));
        var poisoned = await DrainAsync(poison);

        // Every poisoned message is one we sent, with a reason, and none is there because the trigger failed. Delivery
        // is at least once: a poison write that timed out on a loaded machine may be retried and land twice.
        var sentTexts = sent.Select(m => m.Text).ToHashSet(StringComparer.Ordinal);
        var poisonedTexts = poisoned.Select(p => p.Message).ToHashSet(StringComparer.Ordinal);
        var unmatched = sent.Select(m => m.Text).Where(t => !poisonedTexts.Contains(t)).ToList();
        var failures = new List<string>();
        foreach (var p in poisoned)
        {
            if (!sentTexts.Contains(p.Message))
            {
                failures.Add($"poisoned a message never sent: {p.Message[..Math.Min(200, p.Message.Length)]}");
            }

            if (string.IsNullOrWhiteSpace(p.Reason) || p.Reason.StartsWith("DepinTaskIntake failed", StringComparison.Ordinal))
            {
                failures.Add($"poisoned without a reason, or because the trigger threw: {p.Reason} ← {p.Message[..Math.Min(200, p.Message.Length)]}");
            }
        }

        // The messages not poisoned were accepted: their task exists and runs. A rejected message's task never started.
        var durable = App.App.Services.GetRequiredService<DurableTaskClient>();
        var store = App.App.Services.GetRequiredService<IDepinStore>();
        var acceptedIds = unmatched.Select(TaskIdOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var text in unmatched)
        {
            var taskId = TaskIdOf(text);
            var task = taskId is null ? null : await store.GetTaskAsync(taskId);
            if (task is null || task.Status == Domain.Depin.DepinTaskStatus.Rejected || await durable.GetInstanceAsync(taskId!) is null)
            {
                failures.Add($"neither poisoned nor started ({task?.Status}): {text[..Math.Min(200, text.Length)]}");
            }
        }

        foreach (var taskId in poisoned.Select(p => TaskIdOf(p.Message)).OfType<string>().Where(id => id.Trim().Length > 0 && !acceptedIds.Contains(id)).Distinct(StringComparer.Ordinal))
        {
            var task = await store.GetTaskAsync(taskId);
            if ((task is not null && task.Status != Domain.Depin.DepinTaskStatus.Rejected) || await durable.GetInstanceAsync(taskId) is not null)
            {
                failures.Add($"rejected task '{taskId}' was stored as {task?.Status} or started");
            }
        }

        var reasons = poisoned.GroupBy(p => p.Reason.Split(':')[0].Length < 20 ? p.Reason.Split(':')[0] : "other").OrderByDescending(g => g.Count());
        var rejected = sent.Count(m => poisonedTexts.Contains(m.Text));
        output.WriteLine($"{count} intake messages (seed {Seed}): {rejected} rejected ({poisoned.Count} poison copies), {unmatched.Count} accepted; reasons: "
            + string.Join(", ", reasons.Select(g => $"{g.Key}×{g.Count()}")));
        foreach (var failure in failures)
        {
            output.WriteLine("FUZZ: " + failure);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} failures, first ones:\n" + string.Join("\n", failures.Take(10)));

        // The trigger still takes work after the campaign.
        var alive = $"fz{Seed}-alive";
        await intake.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(FuzzRoutes.TaskMessage.Replace("{taskId}", alive, StringComparison.Ordinal))));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await durable.GetInstanceAsync(alive) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.NotNull(await durable.GetInstanceAsync(alive));
    }

    /// <summary>Hostile messages: not base64, not UTF-8, and hostile JSON made from a valid task with a unique id.</summary>
    private static IEnumerable<SentMessage> HostileMessages(int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var valid = FuzzRoutes.TaskMessage.Replace("{taskId}", $"fz{seed}-{i}", StringComparison.Ordinal);
            switch (random.Next(20))
            {
                case 0:
                    var raw = new[] { "this is not base64 {", "%%%", "{\"taskId\":\"x\"}", "a b", "====", "\u00e9t\u00e9" }[random.Next(6)];
                    yield return new SentMessage(raw, raw, "not base64");
                    break;
                case 1:
                    byte[] notUtf8 = [0xC3, 0x28, 0xFF, 0xFE, (byte)random.Next(256)];
                    yield return new SentMessage(Convert.ToBase64String(notUtf8), Convert.ToBase64String(notUtf8), "not UTF-8");
                    break;
                default:
                    var (body, mutation) = HostileInputs.Body(valid, random, 64 * 1024);
                    if (body.Length > 45_000)
                    {
                        // A Storage queue message holds at most 64 KB of base64: large, but it fits.
                        body = Encoding.UTF8.GetBytes(valid.Replace("ghcr.io/depin/worker:1", new string('i', 40_000), StringComparison.Ordinal));
                        mutation = "large image";
                    }

                    var text = Encoding.UTF8.GetString(body);
                    if (!Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(body))
                    {
                        // Lone surrogates do not survive UTF-8: send what the trigger will read.
                        body = Encoding.UTF8.GetBytes(text);
                    }

                    yield return new SentMessage(Convert.ToBase64String(body), text, mutation);
                    break;
            }
        }
    }

    private static string? TaskIdOf(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("taskId", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task WaitForDrainedAsync(QueueClient intake, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while ((await intake.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The intake queue was not drained in time.");
            await Task.Delay(250);
        }

        await Task.Delay(1000); // the last received messages are settled after their handlers ran
    }

    private static async Task<List<PoisonMessage>> DrainAsync(QueueClient poison)
    {
        var all = new List<PoisonMessage>();
        while (true)
        {
            var batch = (await poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(10))).Value;
            if (batch.Length == 0)
            {
                return all;
            }

            all.AddRange(batch.Select(m => JsonSerializer.Deserialize<PoisonMessage>(Convert.FromBase64String(m.MessageText), AistoJson.Options)!));
        }
    }

    /// <summary>The id of what a successful write created, for the half-written-records check; null for reads.</summary>
    private static string? CreatedId(string route, string text)
    {
        var property = route switch
        {
            "CreateLease" => "leaseId",
            "CreateIncubationGrant" => "id",
            "CreateDepinProject" => "projectId",
            "CreateDepinPledge" => "pledgeId",
            "StartPayoutEpoch" => "epoch",
            _ => null,
        };
        if (property is null)
        {
            return null;
        }

        var value = JsonDocument.Parse(text).RootElement.GetProperty(property);
        return value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.GetString();
    }

    private static IEnumerable<string> Items(JsonElement list, string property) =>
        [.. list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty(property)).Select(v => v.ValueKind == JsonValueKind.Number ? v.GetRawText() : v.GetString()!)];

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

    /// <summary>One intake message: as put on the queue, as the trigger reads it, and how it was made.</summary>
    private sealed record SentMessage(string Wire, string Text, string Mutation);

    /// <summary>
    /// The app under fuzz: a rate limit out of the way (the limiter has its own test), fast queue polling, the DePIN
    /// project the campaign names, and an Active lease of the fuzzing tenant to pledge.
    /// </summary>
    public sealed class FuzzApp : IAsyncLifetime
    {
        public AppHarness App { get; private set; } = null!;

        public string LeaseId { get; private set; } = "";

        public async Task InitializeAsync()
        {
            App = await AppHarness.StartAsync(new Dictionary<string, string?>
            {
                ["Aisto:Auth:RateLimit:RequestsPerSecond"] = "100000",
                ["Aisto:Auth:RateLimit:Burst"] = "100000",
                ["Aisto:Standalone:Queues:MaxPollingInterval"] = "00:00:00.250",
                ["Aisto:Standalone:Queues:MaxDequeueCount"] = "2",
            });
            using var op = App.Client(AppHarness.Operator);
            var project = await op.PostAsJsonAsync("/api/depin/projects", new { projectId = FuzzRoutes.Project, name = "Fuzz", priority = 5, rewardPerGpuHour = "1000000", maxGpus = 4 });
            Assert.Equal(HttpStatusCode.Created, project.StatusCode);
            using var tenant = App.Client(AppHarness.TenantB);
            var lease = await tenant.PostAsync("/api/leases", new StringContent(
                """{"gpuModel":"L40S","gpuCount":2,"cpuCores":8,"memoryGiB":32,"durationHours":1,"class":"onDemand","region":"malaysia"}""",
                Encoding.UTF8,
                "application/json"));
            LeaseId = (await lease.JsonAsync()).GetProperty("leaseId").GetString()!;
            await tenant.WaitForLeaseAsync(LeaseId, l => l.Status() == "Active");
        }

        public async Task DisposeAsync() => await App.DisposeAsync();
    }
}
