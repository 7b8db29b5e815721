using System.Net;
using System.Text.Json;
using Aisto.Domain.Monitoring;
using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Monitoring;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Aisto.Functions.Tests.Monitoring;

/// <summary>
/// Regions, the monitor stream, alerts and the dashboard on one real standalone app (Azurite, Azure Storage durable
/// backend), shared by every test of this class (the browser tests are in DashboardBrowserTests.cs).
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed partial class MonitoringTests(MonitoringApp fixture, ITestOutputHelper output) : IClassFixture<MonitoringApp>
{
    private AppHarness App => fixture.App;

    [Fact]
    public async Task The_monitor_stream_is_for_operators_sends_snapshots_and_survives_a_client_leaving()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Client(apiKey: null).GetAsync("/api/monitor/stream")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await App.Client().GetAsync("/api/monitor/stream")).StatusCode);

        using (var stream = await OpenStreamAsync())
        {
            Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
            var snapshot = await stream.NextAsync("snapshot");
            Assert.Equal(3, snapshot.GetProperty("regions").GetArrayLength());
        }

        // The client has gone mid-stream; the app answers the next stream and request as before.
        using var again = await OpenStreamAsync();
        Assert.Equal(3, (await again.NextAsync("snapshot")).GetProperty("regions").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await App.Client(apiKey: null).GetAsync("/api/health")).StatusCode);
    }

    [Fact]
    public async Task An_alert_raised_twice_while_open_is_recorded_once_streamed_listed_and_resolved()
    {
        var sink = App.App.Services.GetRequiredService<IAlertSink>();
        var condition = new AlertCondition(
            AlertCondition.KeyOf(AlertKind.ProvisioningFailed, "singapore", Guid.NewGuid().ToString("N")), AlertKind.ProvisioningFailed,
            AlertSeverity.Critical, "singapore", "Provisioning failed: image pull back-off.");
        using var stream = await OpenStreamAsync();
        await stream.NextAsync("hello");

        var first = await sink.RaiseAsync(condition);
        var second = await sink.RaiseAsync(condition);

        Assert.NotNull(first);
        Assert.Null(second);
        var streamed = await stream.NextAsync("alert", a => a.GetProperty("key").GetString() == condition.Key);
        Assert.Equal("Open", streamed.GetProperty("state").GetString());
        Assert.Single(await ListAlertsAsync(condition.Key));

        Assert.NotNull(await sink.ResolveAsync(condition.Key));
        Assert.Null(await sink.ResolveAsync(condition.Key));
        var listed = Assert.Single(await ListAlertsAsync(condition.Key));
        Assert.Equal("Resolved", listed.GetProperty("state").GetString());
        Assert.NotNull(await sink.RaiseAsync(condition)); // once resolved, the condition may open a new alert
    }

    [Fact]
    public async Task The_threshold_evaluator_raises_high_utilization_once_and_resolves_it_when_capacity_frees()
    {
        // DePIN work holds 8 of Singapore's 16 RTX4090 (booked straight on the inventory, as the DePIN scheduler will):
        // 50 % allocated, 0.8 GPU beyond DePIN's 45 % share.
        var services = App.App.Services;
        var inventory = services.GetRequiredService<IInventoryStore>();
        var evaluator = new ThresholdAlertEvaluator(
            services.GetRequiredService<RegionStatusReader>(),
            services.GetRequiredService<IAlertStore>(),
            services.GetRequiredService<IAlertSink>(),
            Options.Create(new MonitoringOptions { UtilizationHigh = 0.5m, QueueWaitSlo = TimeSpan.FromHours(1) }));
        const string key = "UtilizationHigh/singapore/RTX4090";
        var node = (await inventory.ListNodesAsync()).First(n => n.Node is { Region: "singapore", Model: "RTX4090" });
        var held = node.Node.TryAllocate("task-monitoring-test", ResourceRequest.For("RTX4090", GpuDemand.Whole(8), 1, 1), "depin")!.Value.Node;
        Assert.True(await inventory.TryReplaceAsync(node, held));

        await evaluator.EvaluateAsync();
        await evaluator.EvaluateAsync();
        var open = await ListAlertsAsync(key, "Open");
        var depin = (await services.GetRequiredService<RegionStatusReader>().ReadAsync())
            .Single(r => r.Region.Id == "singapore").Models.Single(m => m.Model == "RTX4090").Pools.Single(p => p.Pool == "depin");

        var current = (await inventory.GetNodeAsync("singapore", node.Node.NodeId))!;
        Assert.True(await inventory.TryReplaceAsync(current, current.Node.Release("task-monitoring-test")));
        var afterRelease = await evaluator.EvaluateAsync();

        Assert.Single(open);
        Assert.Equal((8m, 0.8m), (depin.Allocated, depin.Borrowed));
        Assert.True(afterRelease.Resolved >= 1);
        Assert.Empty(await ListAlertsAsync(key, "Open"));
    }

    [Fact]
    public async Task Alert_listing_is_for_operators_and_names_a_bad_filter()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await App.Client().GetAsync("/api/monitor/alerts")).StatusCode);
        var bad = await App.Client(AppHarness.Operator).GetAsync("/api/monitor/alerts?state=Sideways&hours=2");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("state", out _));
    }

    private async Task<List<JsonElement>> ListAlertsAsync(string key, string? state = null)
    {
        var listed = await (await App.Client(AppHarness.Operator).GetAsync($"/api/monitor/alerts{(state is null ? "" : $"?state={state}")}")).JsonAsync();
        return [.. listed.GetProperty("items").EnumerateArray().Where(a => a.GetProperty("key").GetString() == key)];
    }

    private async Task<EventStream> OpenStreamAsync()
    {
        var client = App.Client(AppHarness.Operator);
        var response = await client.GetAsync("/api/monitor/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new EventStream(client, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>Reads server-sent events off an open response.</summary>
    private sealed class EventStream(HttpClient client, HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public HttpResponseMessage Response => response;

        public async Task<JsonElement> NextAsync(string eventName, Func<JsonElement, bool>? where = null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            string? name = null;
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && name == eventName)
                {
                    var data = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
                    if (where is null || where(data))
                    {
                        return data;
                    }
                }
            }

            throw new InvalidOperationException($"The stream ended before a '{eventName}' event.");
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            client.Dispose();
        }
    }
}
