namespace Aisto.Functions.Monitoring;

/// <summary>Where telemetry goes (<c>Aisto:Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Aisto:Telemetry";

    /// <summary><c>none</c> (default locally: no console noise), <c>console</c>, <c>otlp</c> or <c>azuremonitor</c>.</summary>
    public string Exporter { get; set; } = "none";

    /// <summary>OTLP endpoint (e.g. <c>http://127.0.0.1:4317</c>); empty = the exporter's default / <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>Application Insights connection string; empty = <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>.</summary>
    public string AzureMonitorConnectionString { get; set; } = "";

    /// <summary>How often metrics are exported.</summary>
    public TimeSpan MetricInterval { get; set; } = TimeSpan.FromSeconds(60);
}
