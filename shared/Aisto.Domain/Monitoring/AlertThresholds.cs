namespace Aisto.Domain.Monitoring;

/// <summary>
/// Limits the threshold alerts are evaluated against: the queue-wait SLO (oldest queued lease or p95 of recent
/// waits), and the utilization band per GPU model (above <see cref="UtilizationHigh"/> capacity is short, below
/// <see cref="UtilizationLow"/> it is idle). Low utilization only counts for models with at least
/// <see cref="UtilizationLowMinGpus"/> GPUs, so a tiny pool is not an alert.
/// </summary>
public sealed record AlertThresholds(
    TimeSpan QueueWaitSlo,
    decimal UtilizationHigh,
    decimal UtilizationLow,
    int UtilizationLowMinGpus = 16)
{
    public static AlertThresholds Default { get; } = new(TimeSpan.FromMinutes(5), 0.90m, 0.05m);
}
