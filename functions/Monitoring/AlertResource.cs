using Aisto.Domain.Monitoring;

namespace Aisto.Functions.Monitoring;

/// <summary>The JSON shape of an alert.</summary>
public static class AlertResource
{
    public static object From(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new
        {
            alertId = alert.AlertId,
            key = alert.Key,
            kind = alert.Kind.ToString(),
            severity = alert.Severity.ToString(),
            region = alert.Region,
            message = alert.Message,
            state = alert.State.ToString(),
            raisedAt = alert.RaisedAt,
            resolvedAt = alert.ResolvedAt,
        };
    }
}
