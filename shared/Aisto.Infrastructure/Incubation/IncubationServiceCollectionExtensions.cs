using Aisto.Orchestrations.Incubation;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Infrastructure.Incubation;

/// <summary>Registers incubation grants: the Azure Tables store and the application service.</summary>
public static class IncubationServiceCollectionExtensions
{
    public static IServiceCollection AddIncubation(this IServiceCollection services)
    {
        services.AddSingleton<IIncubationGrantStore, TableIncubationGrantStore>();
        services.AddSingleton<IncubationGrants>();
        return services;
    }
}
