using Aisto.Domain.Monitoring;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>Monitoring settings (<c>Aisto:Monitoring</c>): stream cadence, the wait window and alert thresholds.</summary>
public sealed class MonitoringOptions
{
    public const string Section = "Aisto:Monitoring";

    /// <summary>How often the monitor stream sends a region snapshot.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The window of the p50/p95 waits (API.md: the last hour).</summary>
    public TimeSpan WaitWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>NCRONTAB (six fields) of the timer that evaluates threshold alerts.</summary>
    public string AlertSchedule { get; set; } = "*/30 * * * * *";

    public TimeSpan QueueWaitSlo { get; set; } = TimeSpan.FromMinutes(5);

    public decimal UtilizationHigh { get; set; } = 0.90m;

    /// <summary>Below this a model counts as idle; 0 turns the idle alert off.</summary>
    public decimal UtilizationLow { get; set; }

    public AlertThresholds Thresholds => new(QueueWaitSlo, UtilizationHigh, UtilizationLow);
}
