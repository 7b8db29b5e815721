using Aisto.Functions.Monitoring;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

namespace Aisto.Functions;

/// <summary>The app as an Azure Functions isolated worker (ASP.NET Core integration for HTTP triggers).</summary>
public static class FunctionsWorker
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<Http.RateLimitMiddleware>();
        AistoConfiguration.Apply(builder.Configuration, args, includeLocalSettings: false);
        builder.Services.AddAistoFunctions();
        builder.Services.AddAistoTelemetry(builder.Configuration);
        builder.UseMiddleware<FunctionTelemetryMiddleware>();
        await builder.Build().RunAsync();
        return 0;
    }
}
