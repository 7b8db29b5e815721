using Aisto.Orchestrations.Monitoring;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Aisto.Functions.Monitoring;

/// <summary>Timer: evaluates the threshold alerts (region down, queue wait above SLO, utilization out of band).</summary>
public sealed class AlertEvaluationFunctions(ThresholdAlertEvaluator evaluator, ILogger<AlertEvaluationFunctions> logger)
{
    [Function("EvaluateAlerts")]
    public async Task RunAsync([TimerTrigger("%Aisto:Monitoring:AlertSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await evaluator.EvaluateAsync(cancellationToken);
        if (result.Raised > 0 || result.Resolved > 0)
        {
            logger.LogInformation(
                "Alerts: {Holding} conditions hold, {Raised} raised, {Resolved} resolved", result.Holding, result.Raised, result.Resolved);
        }
    }
}
