using Aisto.Orchestrations.Depin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Aisto.Infrastructure.Depin;

/// <summary>
/// Runs the Service Bus processor only when <c>Aisto:Depin:Transport</c> is <c>ServiceBus</c>; with
/// <c>StorageQueue</c> the queue trigger (Functions host, or the standalone runtime's queue trigger service) reads.
/// </summary>
public sealed class DepinTransportSelector(IServiceProvider services, IOptions<DepinOptions> options) : IHostedService
{
    private ServiceBusDepinIntake? serviceBus;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Transport != DepinTransport.ServiceBus)
        {
            return Task.CompletedTask;
        }

        serviceBus = ActivatorUtilities.CreateInstance<ServiceBusDepinIntake>(services);
        return serviceBus.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => serviceBus?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
