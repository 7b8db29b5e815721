using System.Globalization;
using Aisto.Functions.Http;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Scaling;
using Cronos;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Scaling;

/// <summary>
/// Autoscaling triggers: the demand recorder's timer, the autoscaler's timer (starts one
/// <see cref="AutoscaleOrchestrator"/> run per tick) and <c>GET /api/regions/{region}/scaling</c>.
/// </summary>
public sealed class AutoscaleFunctions(
    DemandRecorder recorder,
    AutoscaleCommands commands,
    LeaseCommands leases,
    ScalingReport report,
    ApiKeyAuthenticator auth,
    IOptions<AutoscaleOptions> options,
    ILogger<AutoscaleFunctions> logger)
{
    private const int DefaultHours = 6;
    private const int MaxHours = 168;
    private const int MaxActions = 100;

    [Function("RecordDemand")]
    public async Task RecordDemandAsync(
        [TimerTrigger("%Aisto:Autoscale:RecordSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var recording = await recorder.RecordAsync(cancellationToken);
        logger.LogDebug("Recorded {Count} demand samples", recording.Samples.Count);
        if (recording.NodesAdded > 0)
        {
            // New nodes take bookings now: the leases waiting for them should not sit out their retry backoff.
            var woken = await leases.WakeAdmittedAsync(durable, "nodes-added", cancellationToken);
            logger.LogInformation("{Added} nodes joined the booking sheet; woke {Count} waiting leases", recording.NodesAdded, woken.Count);
        }
    }

    [Function("Autoscale")]
    public async Task AutoscaleAsync(
        [TimerTrigger("%Aisto:Autoscale:Schedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var instanceId = await commands.StartRunAsync(durable, PlanInterval(options.Value.Schedule), cancellationToken);
        if (instanceId is not null)
        {
            logger.LogInformation("Autoscale run {InstanceId} started", instanceId);
        }
    }

    [Function("GetRegionScaling")]
    public async Task<IResult> GetScalingAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "regions/{region}/scaling")] HttpRequest request,
        string region)
    {
        if (auth.Authenticate(request) is null)
        {
            return Problems.Unauthorized();
        }

        var hours = DefaultHours;
        if (request.Query.TryGetValue("hours", out var raw) &&
            (!int.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out hours) || hours is < 1 or > MaxHours))
        {
            return Problems.Validation("hours", $"must be a whole number of hours from 1 to {MaxHours}.");
        }

        var view = await report.GetAsync(region, TimeSpan.FromHours(hours), MaxActions, request.HttpContext.RequestAborted);
        return view is null
            ? Problems.NotFound($"No region '{region}'.")
            : Results.Ok(ScalingResource.From(view));
    }

    /// <summary>The time between two runs of a six- or five-field NCRONTAB schedule (the planner's interval).</summary>
    public static TimeSpan PlanInterval(string schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var format = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        var cron = CronExpression.Parse(schedule, format);
        var from = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);
        var first = cron.GetNextOccurrence(from);
        var second = first is { } f ? cron.GetNextOccurrence(f) : null;
        return first is { } a && second is { } b ? b - a : TimeSpan.FromMinutes(5);
    }
}
