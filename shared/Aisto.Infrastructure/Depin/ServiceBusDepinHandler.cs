using Aisto.Orchestrations.Depin;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Depin;

/// <summary>
/// Settles one Service Bus intake message explicitly (auto-complete is off): a started or duplicate task is
/// completed; a rejected one is dead-lettered with the reason; a fault (storage down) abandons it, so Service Bus
/// delivers it again and dead-letters it itself after the queue's max delivery count.
/// </summary>
public sealed class ServiceBusDepinHandler(
    Func<ReadOnlyMemory<byte>, CancellationToken, Task<IntakeVerdict>> accept, ILogger<ServiceBusDepinHandler> logger)
{
    /// <summary>Dead-letter reasons are short codes; the description says what was wrong.</summary>
    public const string RejectedReason = "DepinTaskRejected";

    public Task HandleAsync(ProcessSessionMessageEventArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return SettleAsync(
            args.Message,
            ct => args.CompleteMessageAsync(args.Message, ct),
            (reason, description, ct) => args.DeadLetterMessageAsync(args.Message, reason, description, ct),
            ct => args.AbandonMessageAsync(args.Message, null, ct),
            args.CancellationToken);
    }

    public Task HandleAsync(ProcessMessageEventArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return SettleAsync(
            args.Message,
            ct => args.CompleteMessageAsync(args.Message, ct),
            (reason, description, ct) => args.DeadLetterMessageAsync(args.Message, reason, description, ct),
            ct => args.AbandonMessageAsync(args.Message, null, ct),
            args.CancellationToken);
    }

    private async Task SettleAsync(
        ServiceBusReceivedMessage message,
        Func<CancellationToken, Task> complete,
        Func<string, string, CancellationToken, Task> deadLetter,
        Func<CancellationToken, Task> abandon,
        CancellationToken cancellationToken)
    {
        IntakeVerdict verdict;
        try
        {
            verdict = await accept(message.Body.ToMemory(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "DePIN message {MessageId} failed (delivery {Count}); abandoned for redelivery", message.MessageId, message.DeliveryCount);
            await abandon(cancellationToken);
            return;
        }

        if (verdict.Outcome == IntakeOutcome.Rejected)
        {
            // The description carries the reason (capped at Service Bus's 4 KB property limit).
            var reason = verdict.Reason ?? "rejected";
            await deadLetter(RejectedReason, reason.Length > 4000 ? reason[..4000] : reason, cancellationToken);
            return;
        }

        await complete(cancellationToken);
    }
}
