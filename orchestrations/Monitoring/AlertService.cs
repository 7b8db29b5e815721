using Aisto.Domain.Monitoring;
using Microsoft.Extensions.Logging;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>The alert port: records in the store (deduplicated by key), counts, logs and streams.</summary>
public sealed class AlertService(IAlertStore store, AlertFeed feed, TimeProvider clock, ILogger<AlertService> logger) : IAlertSink
{
    public async Task<Alert?> RaiseAsync(AlertCondition condition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var alert = await store.TryOpenAsync(condition, clock.GetUtcNow(), cancellationToken);
        if (alert is not null)
        {
            AistoMetrics.AlertRaised(alert.Kind.ToString(), alert.Severity.ToString());
            logger.LogWarning("Alert {Kind} ({Severity}) {Key}: {Message}", alert.Kind, alert.Severity, alert.Key, alert.Message);
            feed.Publish(alert);
        }

        return alert;
    }

    public async Task<Alert?> ResolveAsync(string key, CancellationToken cancellationToken = default)
    {
        var alert = await store.ResolveAsync(key, clock.GetUtcNow(), cancellationToken);
        if (alert is not null)
        {
            logger.LogInformation("Alert {Key} resolved", key);
            feed.Publish(alert);
        }

        return alert;
    }
}
