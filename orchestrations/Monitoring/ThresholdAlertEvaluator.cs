using Aisto.Domain.Monitoring;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>
/// One evaluation of the threshold alerts: raises every condition that holds (already open ones stay as they are)
/// and resolves open alerts of the threshold kinds whose condition is gone.
/// </summary>
public sealed class ThresholdAlertEvaluator(
    RegionStatusReader regions, IAlertStore store, IAlertSink alerts, IOptions<MonitoringOptions> options)
{
    public async Task<AlertEvaluation> EvaluateAsync(CancellationToken cancellationToken = default)
    {
        var statuses = await regions.ReadAsync(cancellationToken);
        var conditions = ThresholdAlertRules.Evaluate(statuses, options.Value.Thresholds);
        var raised = 0;
        foreach (var condition in conditions)
        {
            raised += await alerts.RaiseAsync(condition, cancellationToken) is null ? 0 : 1;
        }

        var holding = conditions.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var resolved = 0;
        foreach (var open in await store.ListOpenAsync(cancellationToken))
        {
            if (ThresholdAlertRules.Kinds.Contains(open.Kind) && !holding.Contains(open.Key))
            {
                resolved += await alerts.ResolveAsync(open.Key, cancellationToken) is null ? 0 : 1;
            }
        }

        return new AlertEvaluation(conditions.Count, raised, resolved);
    }
}

/// <summary>What one evaluation found: conditions holding, alerts newly raised, alerts resolved.</summary>
public sealed record AlertEvaluation(int Holding, int Raised, int Resolved);
