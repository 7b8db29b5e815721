using System.Globalization;
using Aisto.Orchestrations.Regions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Scaling;

/// <summary>
/// Starts autoscaling runs. A run's instance id is its tick (<c>autoscale-yyyyMMddTHHmmssZ</c>), so a tick fired
/// twice starts one run; a tick that comes while this process's previous run is still going is skipped, so runs
/// do not overlap — unless that run is stuck (older than three intervals, at least a minute).
/// </summary>
public sealed class AutoscaleCommands(
    IRegionDirectory regions, IOptions<AutoscaleOptions> options, TimeProvider clock, ILogger<AutoscaleCommands> logger)
{
    /// <summary>A run still going after three intervals (and at least this long) no longer holds the next one back.</summary>
    private static readonly TimeSpan MinStaleAfter = TimeSpan.FromMinutes(1);

    private string? lastStarted;

    /// <summary>Starts the run of this tick; returns its instance id, or null when the previous run is still going.</summary>
    public async Task<string?> StartRunAsync(DurableTaskClient durable, TimeSpan planInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var now = clock.GetUtcNow();
        if (lastStarted is { } previous &&
            await durable.GetInstanceAsync(previous, getInputsAndOutputs: false, cancellationToken) is { } running &&
            running.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending)
        {
            // A run stuck far beyond its interval (a storage outage) must not stop autoscaling for good.
            var staleAfter = planInterval * 3 > MinStaleAfter ? planInterval * 3 : MinStaleAfter;
            if (now - running.CreatedAt < staleAfter)
            {
                logger.LogWarning("Autoscale run {InstanceId} is still going; this tick is skipped", previous);
                return null;
            }

            logger.LogWarning("Autoscale run {InstanceId} has run since {CreatedAt}; starting the next one anyway", previous, running.CreatedAt);
        }

        var tick = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var instanceId = "autoscale-" + tick.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var input = new AutoscaleInput(
            [.. regions.Regions.Select(r => r.Id)], options.Value.ToPolicy(planInterval), options.Value.ForecastHorizon);
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(
                nameof(AutoscaleOrchestrator), input, new StartOrchestrationOptions(instanceId), cancellationToken);
        }
        catch (Exception ex) when (ex.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            // This tick's run was started already.
        }

        lastStarted = instanceId;
        return instanceId;
    }
}
