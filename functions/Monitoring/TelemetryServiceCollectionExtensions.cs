using Aisto.Orchestrations.Monitoring;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Aisto.Functions.Monitoring;

/// <summary>
/// OpenTelemetry for the app: traces of the <c>Aisto</c> source (every trigger invocation and activity) and of the
/// Durable Task engine, metrics of the <c>Aisto</c> meter, sent to the exporter <c>Aisto:Telemetry:Exporter</c> names.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    public static readonly string[] Exporters = ["none", "console", "otlp", "azuremonitor"];

    private static readonly string[] DurableSources = ["DurableTask.Core", "Microsoft.DurableTask", "WebJobs.Extensions.DurableTask"];

    public static IServiceCollection AddAistoTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var exporter = options.Exporter.Trim().ToLowerInvariant();
        if (!Exporters.Contains(exporter))
        {
            throw new InvalidOperationException($"{TelemetryOptions.Section}:Exporter must be one of {string.Join(", ", Exporters)}.");
        }

        AistoMetrics.EnsureCreated();
        if (exporter == "none")
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("aisto", serviceVersion: typeof(TelemetryServiceCollectionExtensions).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing =>
            {
                tracing.AddSource(AistoTelemetry.Name).AddSource(DurableSources);
                _ = exporter switch
                {
                    "console" => tracing.AddConsoleExporter(),
                    "otlp" => tracing.AddOtlpExporter(o => Otlp(o, options)),
                    _ => tracing.AddAzureMonitorTraceExporter(o => AzureMonitor(o, options)),
                };
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(AistoTelemetry.Name);
                var interval = (int)options.MetricInterval.TotalMilliseconds;
                _ = exporter switch
                {
                    "console" => metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval),
                    "otlp" => metrics.AddOtlpExporter((o, reader) =>
                    {
                        Otlp(o, options);
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                    }),
                    _ => metrics.AddAzureMonitorMetricExporter(o => AzureMonitor(o, options)),
                };
            });
        return services;
    }

    private static void Otlp(OpenTelemetry.Exporter.OtlpExporterOptions o, TelemetryOptions options)
    {
        if (options.OtlpEndpoint.Length > 0)
        {
            o.Endpoint = new Uri(options.OtlpEndpoint);
        }
    }

    private static void AzureMonitor(AzureMonitorExporterOptions o, TelemetryOptions options)
    {
        if (options.AzureMonitorConnectionString.Length > 0)
        {
            o.ConnectionString = options.AzureMonitorConnectionString;
        }
    }
}
