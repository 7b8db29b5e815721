using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>
/// The app's trace source and meter. Both are plain <c>System.Diagnostics</c> types, so any layer can record without
/// a telemetry package; the host subscribes to <see cref="Name"/> and exports (console, OTLP or Azure Monitor).
/// </summary>
public static class AistoTelemetry
{
    public const string Name = "Aisto";

    public static ActivitySource Source { get; } = new(Name, "1.0.0");

    public static Meter Meter { get; } = new(Name, "1.0.0");

    /// <summary>Starts a span named <paramref name="name"/> of <paramref name="kind"/> with the given tags.</summary>
    public static Activity? StartSpan(string name, ActivityKind kind, params (string Key, object? Value)[] tags)
    {
        var span = Source.StartActivity(name, kind);
        if (span is not null)
        {
            foreach (var (key, value) in tags)
            {
                span.SetTag(key, value);
            }
        }

        return span;
    }

    /// <summary>Marks a span failed with the exception's type and message.</summary>
    public static void RecordFailure(this Activity? span, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        span?.SetStatus(ActivityStatusCode.Error, exception.Message);
        span?.SetTag("error.type", exception.GetType().FullName);
    }
}
