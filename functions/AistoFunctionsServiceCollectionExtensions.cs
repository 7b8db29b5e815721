using Aisto.Functions.Http;
using Aisto.Infrastructure.Composition;
using Aisto.Infrastructure.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions;

/// <summary>The app's composition: everything below the triggers, plus what the triggers themselves need.</summary>
public static class AistoFunctionsServiceCollectionExtensions
{
    public static IServiceCollection AddAistoFunctions(this IServiceCollection services)
    {
        services.AddAisto();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(o => o.RequestsPerSecond > 0 && o.Burst > 0, "Aisto:Auth:RateLimit values must be positive.").ValidateOnStart();
        services.AddSingleton<KeyRateLimiter>();
        services.ConfigureHttpJsonOptions(o => AistoJson.Configure(o.SerializerOptions));
        services.AddProblemDetails();
        return services;
    }
}
