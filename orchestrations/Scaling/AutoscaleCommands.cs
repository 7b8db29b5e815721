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
/// never overlap.
/// </summary>
public sealed class AutoscaleCommands(
    IRegionDirectory regions, IOptions<AutoscaleOptions> options, TimeProvider clock, ILogger<AutoscaleCommands> logger)
{
    private string? lastStarted;

    /// <summary>Starts the run of this tick; returns its instance id, or null when the previous run is still going.</summary>
    public async Task<string?> StartRunAsync(DurableTaskClient durable, TimeSpan planInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        if (lastStarted is { } previous &&
            await durable.GetInstanceAsync(previous, getInputsAndOutputs: false, cancellationToken) is { } running &&
            running.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending)
        {
            logger.LogWarning("Autoscale run {InstanceId} is still going; this tick is skipped", previous);
            return null;
        }

        var now = clock.GetUtcNow();
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
