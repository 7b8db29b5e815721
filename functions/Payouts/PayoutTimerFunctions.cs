using Aisto.Orchestrations.Payouts;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Aisto.Functions.Payouts;

/// <summary>Timer: starts the dividend orchestration of every settled epoch not yet completed (one instance per epoch).</summary>
public sealed class PayoutTimerFunctions(PayoutCommands commands, ILogger<PayoutTimerFunctions> logger)
{
    [Function("RunDividendEpochs")]
    public async Task RunAsync(
        [TimerTrigger("%Aisto:Payouts:Schedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var started = await commands.StartDueAsync(durable, cancellationToken);
        if (started.Count > 0)
        {
            logger.LogInformation("Started the dividend epochs {Epochs}", string.Join(", ", started));
        }
    }
}
