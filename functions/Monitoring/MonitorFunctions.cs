using Aisto.Domain.Monitoring;
using Aisto.Functions.Http;
using Aisto.Orchestrations.Monitoring;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Monitoring;

/// <summary>
/// Operator monitoring: <c>GET /api/monitor/stream</c> (server-sent events: a <c>snapshot</c> of every region, the
/// recent leases and the open alerts every <c>Aisto:Monitoring:SnapshotInterval</c>, and each <c>alert</c> as it
/// is raised or resolved) and <c>GET /api/monitor/alerts</c>.
/// </summary>
public sealed class MonitorFunctions(
    ApiKeyAuthenticator auth, RegionStatusReader regions, IAlertStore alerts, AlertFeed feed, IOptions<MonitoringOptions> options, TimeProvider clock)
{
    private const int RecentLeases = 25;
    private const int MaxAlerts = 200;

    [Function("MonitorStream")]
    public IResult Stream(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "monitor/stream")] HttpRequest request)
    {
        if (Operator(request) is { } denied)
        {
            return denied;
        }

        return new ServerSentEvents(async (events, cancellationToken) =>
        {
            var sent = new HashSet<string>(StringComparer.Ordinal);
            var pushed = feed.Subscribe(cancellationToken);
            var since = clock.GetUtcNow();
            Task<bool>? ready = null;
            await events.WriteAsync("hello", new { intervalSeconds = options.Value.SnapshotInterval.TotalSeconds }, cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                // 1. a snapshot; 2. alerts other instances recorded since the last one; 3. wait, sending pushed alerts at once.
                var polledAt = clock.GetUtcNow();
                await events.WriteAsync("snapshot", await SnapshotAsync(cancellationToken), cancellationToken);
                foreach (var alert in (await alerts.ListRecentAsync(since, MaxAlerts, cancellationToken)).Reverse())
                {
                    await SendAlertAsync(events, alert, sent, cancellationToken);
                }

                since = polledAt - TimeSpan.FromSeconds(1);
                var tick = Task.Delay(options.Value.SnapshotInterval, clock, cancellationToken);
                while (!tick.IsCompleted)
                {
                    ready ??= pushed.WaitToReadAsync(cancellationToken).AsTask();
                    if (await Task.WhenAny(tick, ready) != ready)
                    {
                        break;
                    }

                    var open = await ready;
                    ready = null;
                    while (open && pushed.TryRead(out var alert))
                    {
                        await SendAlertAsync(events, alert, sent, cancellationToken);
                    }

                    if (!open)
                    {
                        break;
                    }
                }

                await tick;
            }
        });
    }

    [Function("ListAlerts")]
    public async Task<IResult> ListAlertsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "monitor/alerts")] HttpRequest request)
    {
        if (Operator(request) is { } denied)
        {
            return denied;
        }

        var state = request.Query["state"].ToString();
        if (state.Length > 0 && !Enum.TryParse<AlertState>(state, ignoreCase: true, out _) || state.Any(char.IsDigit))
        {
            return Problems.Validation("state", $"must be one of {string.Join(" | ", Enum.GetNames<AlertState>())}.");
        }

        var hours = 24;
        if (request.Query["hours"].ToString() is { Length: > 0 } text && (!int.TryParse(text, out hours) || hours is < 1 or > 720))
        {
            return Problems.Validation("hours", "must be a whole number from 1 to 720.");
        }

        var cancellationToken = request.HttpContext.RequestAborted;
        var found = state.Equals(nameof(AlertState.Open), StringComparison.OrdinalIgnoreCase)
            ? await alerts.ListOpenAsync(cancellationToken)
            : await alerts.ListRecentAsync(clock.GetUtcNow() - TimeSpan.FromHours(hours), MaxAlerts, cancellationToken);
        var items = state.Length == 0 ? found : found.Where(a => a.State.ToString().Equals(state, StringComparison.OrdinalIgnoreCase));
        return Results.Ok(new { items = items.Select(AlertResource.From) });
    }

    private IResult? Operator(HttpRequest request) =>
        auth.Authenticate(request) is not { } caller ? Problems.Unauthorized()
        : !caller.IsOperator ? Problems.Forbidden()
        : null;

    private async Task<object> SnapshotAsync(CancellationToken cancellationToken)
    {
        var (statuses, activity) = await regions.ReadWithActivityAsync(cancellationToken);
        var open = await alerts.ListOpenAsync(cancellationToken);
        return new
        {
            at = clock.GetUtcNow(),
            regions = statuses.Select(RegionStatusResource.From),
            recentLeases = activity
                .GroupBy(a => a.LeaseId, StringComparer.Ordinal)
                .Select(g => g.MaxBy(a => (a.At, a.Status))!)
                .OrderByDescending(a => a.At)
                .Take(RecentLeases)
                .Select(a => new
                {
                    leaseId = a.LeaseId,
                    tenantId = a.TenantId,
                    status = a.Status.ToString(),
                    region = a.Region,
                    gpuModel = a.GpuModel,
                    gpus = a.Gpus,
                    pool = a.Pool,
                    requestedAt = a.RequestedAt,
                    at = a.At,
                    failureReason = a.FailureReason,
                }),
            openAlerts = open.Select(AlertResource.From),
        };
    }

    private static async Task SendAlertAsync(ServerSentEventWriter events, Alert alert, HashSet<string> sent, CancellationToken cancellationToken)
    {
        if (sent.Add($"{alert.AlertId}/{alert.State}"))
        {
            await events.WriteAsync("alert", AlertResource.From(alert), cancellationToken, id: alert.AlertId);
        }
    }
}
