using Aisto.Orchestrations.Leases;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Aisto.Functions.Leases;

/// <summary>Timer: gives every queued lease without a lifecycle one (a crash between storing and starting it).</summary>
public sealed class LeaseReconcileFunctions(LeaseCommands commands, ILogger<LeaseReconcileFunctions> logger)
{
    /// <summary>A lease younger than this may still be on its way to starting its lifecycle.</summary>
    private static readonly TimeSpan MinimumAge = TimeSpan.FromSeconds(30);

    [Function("ReconcileQueuedLeases")]
    public async Task RunAsync(
        [TimerTrigger("%Aisto:Leases:ReconcileSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var started = await commands.ReconcileQueuedAsync(durable, MinimumAge, cancellationToken);
        if (started > 0)
        {
            logger.LogWarning("Started the lifecycle of {Count} queued leases that had none", started);
        }
    }
}
