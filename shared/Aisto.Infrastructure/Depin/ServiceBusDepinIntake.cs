using Aisto.Orchestrations.Depin;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Depin;

/// <summary>
/// The Service Bus intake transport (<c>Aisto:Depin:Transport = ServiceBus</c>): a session processor on the intake
/// queue — one session per project keeps a project's tasks in order while projects proceed in parallel — with
/// explicit settlement by <see cref="ServiceBusDepinHandler"/>. Connects with the connection string when one is
/// configured, else to the namespace with the app's managed identity.
/// </summary>
public sealed class ServiceBusDepinIntake(IServiceProvider services, IOptions<DepinOptions> options, ILogger<ServiceBusDepinIntake> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var durable = services.GetRequiredService<DurableTaskClient>();
        var intake = services.GetRequiredService<DepinTaskIntake>();
        var handler = new ServiceBusDepinHandler(
            (body, ct) => intake.AcceptAsync(body, durable, ct), services.GetRequiredService<ILogger<ServiceBusDepinHandler>>());

        // Explicit: each Service Bus operation (and each wait for a session) gives up after TryTimeout, then retries.
        var clientOptions = new ServiceBusClientOptions
        {
            RetryOptions = new ServiceBusRetryOptions { Mode = ServiceBusRetryMode.Exponential, MaxRetries = 3, TryTimeout = o.ServiceBusTryTimeout },
        };
        await using var client = o.ServiceBusConnectionString.Length > 0
            ? new ServiceBusClient(o.ServiceBusConnectionString, clientOptions)
            : new ServiceBusClient(o.ServiceBusNamespace, new DefaultAzureCredential(), clientOptions);
        await using var processor = client.CreateSessionProcessor(o.QueueName, new ServiceBusSessionProcessorOptions
        {
            AutoCompleteMessages = false,
            MaxConcurrentSessions = o.MaxConcurrentSessions,
            MaxConcurrentCallsPerSession = 1,
            PrefetchCount = 16,
        });
        processor.ProcessMessageAsync += handler.HandleAsync;
        processor.ProcessErrorAsync += e =>
        {
            logger.LogError(e.Exception, "Service Bus DePIN intake error ({Source})", e.ErrorSource);
            return Task.CompletedTask;
        };

        await processor.StartProcessingAsync(stoppingToken);
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }

        await processor.StopProcessingAsync(CancellationToken.None);
    }
}
