using System.Reflection;
using System.Text;
using Aisto.Infrastructure.Queues;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Standalone;

/// <summary>
/// Runs the app's queue-triggered functions on Azure Storage queues (Azurite locally) with the Functions host's
/// semantics: messages are base64 (the trigger's default encoding) and bound to a <c>string</c>, <c>byte[]</c> or
/// <c>BinaryData</c> parameter; receives are batched and run concurrently; an empty queue is polled with growing
/// waits up to <see cref="QueueTriggerOptions.MaxPollingInterval"/>; a message whose function succeeds is deleted;
/// one that fails becomes visible again after <see cref="QueueTriggerOptions.VisibilityTimeout"/>, and after
/// <see cref="QueueTriggerOptions.MaxDequeueCount"/> deliveries it moves to <c>&lt;queue&gt;-poison</c>, wrapped with
/// the last error as its reason. A body that is not base64 can never bind and goes there at once.
/// </summary>
public sealed class QueueTriggerService(
    IServiceProvider services,
    IConfiguration configuration,
    StorageQueues queues,
    IOptions<QueueTriggerOptions> options,
    ILogger<QueueTriggerService> logger,
    Assembly functions) : BackgroundService
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(50);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(FunctionCatalog.Queues(functions).Select(q => RunAsync(q, stoppingToken)));

    private async Task RunAsync(QueueFunction function, CancellationToken stoppingToken)
    {
        var name = TimerTriggerService.Resolve(function.QueueName, configuration);
        var queue = queues.Get(name);
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        await queues.Get(name + StorageQueues.PoisonSuffix).CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        logger.LogInformation("Queue trigger {Function} reads '{Queue}'", function.Name, name);

        var o = options.Value;
        var inFlight = new SemaphoreSlim(o.BatchSize + o.NewBatchThreshold);
        var running = new List<Task>();
        var wait = MinPollingInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Fetch when there is room for a batch (the host's new-batch threshold).
                var room = inFlight.CurrentCount;
                if (room < Math.Min(o.BatchSize, Math.Max(1, o.NewBatchThreshold)))
                {
                    await Task.WhenAny(running.Append(Task.Delay(wait, stoppingToken)));
                    running.RemoveAll(t => t.IsCompleted);
                    continue;
                }

                QueueMessage[] messages = (await queue.ReceiveMessagesAsync(Math.Min(32, Math.Min(room, o.BatchSize)), o.MessageLeaseTime, stoppingToken)).Value;
                if (messages.Length == 0)
                {
                    await Task.Delay(wait, stoppingToken);
                    wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, o.MaxPollingInterval.Ticks));
                    continue;
                }

                wait = MinPollingInterval;
                foreach (var message in messages)
                {
                    await inFlight.WaitAsync(stoppingToken);
                    running.Add(ProcessAsync(function, queue, name, message, inFlight, stoppingToken));
                }

                running.RemoveAll(t => t.IsCompleted);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RequestFailedException ex)
            {
                logger.LogWarning(ex, "Polling queue '{Queue}' failed; retrying", name);
                await Task.Delay(o.MaxPollingInterval, CancellationToken.None);
            }
        }

        await Task.WhenAll(running);
    }

    private async Task ProcessAsync(
        QueueFunction function, QueueClient queue, string name, QueueMessage message, SemaphoreSlim inFlight, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            var text = Decode(message.MessageText);
            if (text is null)
            {
                await PoisonAsync(queue, name, message, "The message is not base64-encoded, so the queue trigger cannot bind it.");
                return;
            }

            try
            {
                using var scope = services.CreateScope();
                await FunctionInvoker.InvokeAsync(scope.ServiceProvider, function.Method, p => Bind(p, text), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                var error = ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;
                if (message.DequeueCount >= options.Value.MaxDequeueCount)
                {
                    await PoisonAsync(queue, name, message, $"{function.Name} failed {message.DequeueCount} times: {error.Message}");
                }
                else
                {
                    logger.LogWarning(error, "{Function} failed on message {MessageId} (delivery {Count}); it will be retried", function.Name, message.MessageId, message.DequeueCount);
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: options.Value.VisibilityTimeout, cancellationToken: CancellationToken.None);
                }

                return;
            }

            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
        {
            // The lease ran out or the app is stopping: the message becomes visible again and is redelivered.
            logger.LogDebug(ex, "Message {MessageId} of '{Queue}' was not settled", message.MessageId, name);
        }
        finally
        {
            inFlight.Release();
        }
    }

    private async Task PoisonAsync(QueueClient queue, string name, QueueMessage message, string reason)
    {
        logger.LogWarning("Message {MessageId} of '{Queue}' moved to the poison queue: {Reason}", message.MessageId, name, reason);
        await queues.PoisonAsync(name, Decode(message.MessageText) ?? message.MessageText, reason, message.DequeueCount, CancellationToken.None);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
    }

    private static (bool Bound, object? Value) Bind(ParameterInfo p, string text) =>
        p.GetCustomAttribute<Microsoft.Azure.Functions.Worker.QueueTriggerAttribute>() is null ? (false, null)
        : p.ParameterType == typeof(string) ? (true, text)
        : p.ParameterType == typeof(byte[]) ? (true, Encoding.UTF8.GetBytes(text))
        : p.ParameterType == typeof(BinaryData) ? (true, BinaryData.FromString(text))
        : throw new InvalidOperationException($"Queue trigger parameter '{p.Name}' must be string, byte[] or BinaryData.");

    private static string? Decode(string body)
    {
        var bytes = new byte[body.Length];
        if (!Convert.TryFromBase64String(body, bytes, out var written))
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
