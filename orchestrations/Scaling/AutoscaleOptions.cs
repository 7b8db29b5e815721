using Aisto.Domain.Scaling;

namespace Aisto.Orchestrations.Scaling;

/// <summary>Autoscaling settings (<c>Aisto:Autoscale</c>); the planner's other knobs keep the replay-tuned defaults.</summary>
public sealed class AutoscaleOptions
{
    public const string Section = "Aisto:Autoscale";

    /// <summary>NCRONTAB (six fields) of the timer that forecasts, plans and scales every region.</summary>
    public string Schedule { get; set; } = "0 */5 * * * *";

    /// <summary>NCRONTAB of the timer that records demand samples (and keeps the inventory in step with the regions).</summary>
    public string RecordSchedule { get; set; } = "0 * * * * *";

    /// <summary>How long the per-minute demand samples are kept.</summary>
    public TimeSpan SampleRetention { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How long the 5-minute demand peaks (the forecaster's history) and the scaling decisions are kept.</summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(28);

    /// <summary>Plan and record every decision, but change no node pool.</summary>
    public bool ForecastOnly { get; set; }

    /// <summary>From asking a region for a node to the node taking work; the planner looks this far ahead.</summary>
    public TimeSpan NodeLeadTime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How far ahead each run forecasts and records (the dashboard's "next hours").</summary>
    public TimeSpan ForecastHorizon { get; set; } = TimeSpan.FromHours(6);

    /// <summary>The planner's rules for a run every <paramref name="planInterval"/>; pool size and bounds come from each pool.</summary>
    public ScalingPolicy ToPolicy(TimeSpan planInterval) => new()
    {
        NodeLeadTime = NodeLeadTime,
        PlanInterval = planInterval,
        ForecastOnly = ForecastOnly,
    };
}
