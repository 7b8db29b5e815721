using System.Text;
using Aisto.Infrastructure.Queues;
using Aisto.Orchestrations.Depin;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Depin;

/// <summary>
/// Queue trigger of DePIN intake (the <c>StorageQueue</c> transport): one message → <see cref="DepinTaskIntake"/>.
/// A rejected message is moved to the poison queue with its reason here, and the trigger then deletes it; a fault
/// throws, so the host retries it and poisons it after its max dequeue count.
/// </summary>
public sealed class DepinIntakeFunctions(DepinTaskIntake intake, StorageQueues queues, IOptions<DepinOptions> options)
{
    [Function("DepinTaskIntake")]
    public async Task RunAsync(
        [QueueTrigger("%Aisto:Depin:QueueName%")] string message,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var verdict = await intake.AcceptAsync(Encoding.UTF8.GetBytes(message), durable, cancellationToken);
        if (verdict.Outcome == IntakeOutcome.Rejected)
        {
            await queues.PoisonAsync(options.Value.QueueName, message, verdict.Reason ?? "rejected", dequeueCount: 1, cancellationToken);
        }
    }
}
