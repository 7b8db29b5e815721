namespace Aisto.Domain.Monitoring;

/// <summary>
/// The alerts that follow from region status alone: region down, queue wait above the SLO, utilization outside
/// the band. Pure: the same statuses and thresholds give the same conditions, in a stable order.
/// </summary>
public static class ThresholdAlertRules
{
    /// <summary>Kinds these rules own: an open alert of one of these kinds whose condition is gone gets resolved.</summary>
    public static IReadOnlySet<AlertKind> Kinds { get; } = new HashSet<AlertKind>
    {
        AlertKind.RegionDown, AlertKind.QueueWaitAboveSlo, AlertKind.UtilizationHigh, AlertKind.UtilizationLow,
    };

    public static IReadOnlyList<AlertCondition> Evaluate(IEnumerable<RegionStatus> regions, AlertThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(thresholds);
        var conditions = new List<AlertCondition>();
        var slo = thresholds.QueueWaitSlo.TotalSeconds;
        foreach (var region in regions.OrderBy(r => r.Region.Id, StringComparer.Ordinal))
        {
            var id = region.Region.Id;
            if (!region.IsUp)
            {
                conditions.Add(new(AlertCondition.KeyOf(AlertKind.RegionDown, id), AlertKind.RegionDown, AlertSeverity.Critical, id,
                    $"Region {id} does not answer."));
                continue;
            }

            foreach (var model in region.Models)
            {
                var worstWait = Math.Max(model.OldestQueuedSeconds ?? 0, model.Wait.P95Seconds ?? 0);
                if (worstWait > slo)
                {
                    conditions.Add(new(AlertCondition.KeyOf(AlertKind.QueueWaitAboveSlo, id, model.Model), AlertKind.QueueWaitAboveSlo,
                        AlertSeverity.Warning, id,
                        $"{model.Model} in {id}: queue wait {worstWait:0}s is above the {slo:0}s SLO ({model.QueueLength} queued)."));
                }

                if (model.Total > 0 && model.Utilization >= thresholds.UtilizationHigh)
                {
                    conditions.Add(new(AlertCondition.KeyOf(AlertKind.UtilizationHigh, id, model.Model), AlertKind.UtilizationHigh,
                        AlertSeverity.Warning, id,
                        $"{model.Model} in {id} is {model.Utilization:P0} allocated (threshold {thresholds.UtilizationHigh:P0})."));
                }
                else if (model.Total >= thresholds.UtilizationLowMinGpus && model.Utilization < thresholds.UtilizationLow)
                {
                    conditions.Add(new(AlertCondition.KeyOf(AlertKind.UtilizationLow, id, model.Model), AlertKind.UtilizationLow,
                        AlertSeverity.Info, id,
                        $"{model.Model} in {id} is only {model.Utilization:P0} allocated (threshold {thresholds.UtilizationLow:P0})."));
                }
            }
        }

        return conditions;
    }
}
