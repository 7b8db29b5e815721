using Aisto.Orchestrations.Depin;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Aisto.Functions.Depin;

/// <summary>Timer: gives every open DePIN task whose orchestration is gone a new one (see <see cref="DepinReconciler"/>).</summary>
public sealed class DepinReconcileFunctions(DepinReconciler reconciler, ILogger<DepinReconcileFunctions> logger)
{
    [Function("ReconcileDepinTasks")]
    public async Task RunAsync(
        [TimerTrigger("%Aisto:Depin:ReconcileSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var result = await reconciler.ReconcileAsync(durable, cancellationToken);
        if (result.Started + result.Restarted > 0)
        {
            logger.LogWarning(
                "Of {Open} open DePIN tasks, started {Started} that had no orchestration and restarted {Restarted} whose orchestration had ended",
                result.Open, result.Started, result.Restarted);
        }
    }
}
