using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>
/// Every instrument the app records, defined once so each feature records through the same names and tags.
/// Gauges of GPUs and queues are observed from the last region status the app computed
/// (<see cref="RegionStatusCache"/>); counters and histograms are recorded where things happen.
/// </summary>
public static class AistoMetrics
{
    private static readonly Counter<long> Invocations = AistoTelemetry.Meter.CreateCounter<long>(
        "aisto.function.invocations", "{invocation}", "Trigger invocations by function, trigger kind and outcome.");

    private static readonly Histogram<double> InvocationDuration = AistoTelemetry.Meter.CreateHistogram<double>(
        "aisto.function.duration", "s", "Trigger invocation duration.");

    private static readonly Counter<long> ActivityRuns = AistoTelemetry.Meter.CreateCounter<long>(
        "aisto.durable.activity.runs", "{run}", "Durable activity executions by activity and outcome.");

    private static readonly Histogram<double> ActivityDuration = AistoTelemetry.Meter.CreateHistogram<double>(
        "aisto.durable.activity.duration", "s", "Durable activity duration.");

    private static readonly Counter<long> OrchestrationsStarted = AistoTelemetry.Meter.CreateCounter<long>(
        "aisto.durable.orchestrations.started", "{orchestration}", "Orchestrations scheduled by name.");

    private static readonly Counter<long> LeaseTransitions = AistoTelemetry.Meter.CreateCounter<long>(
        "aisto.lease.transitions", "{transition}", "Lease status changes (from → to) by pool and GPU model.");

    private static readonly Histogram<double> QueueWait = AistoTelemetry.Meter.CreateHistogram<double>(
        "aisto.lease.queue_wait", "s", "Time from request to Active, by region, GPU model and pool.");

    private static readonly Counter<long> ScalingActions = AistoTelemetry.Meter.CreateCounter<long>(
        "aisto.scaling.actions", "{action}", "Scaling actions applied, by region, GPU model, pool and action.");

    private static readonly Counter<long> Intake = AistoTelemetry.Meter.CreateCounter<long>(
        "aisto.intake.messages", "{message}", "Intake messages (DePIN tasks, lease requests) by source and outcome.");

    private static readonly Counter<long> PayoutRuns = AistoTelemetry.Meter.CreateCounter<long>(
        "aisto.payout.runs", "{run}", "Payout epoch runs by outcome.");

    private static readonly Counter<long> AlertsRaised = AistoTelemetry.Meter.CreateCounter<long>(
        "aisto.alerts.raised", "{alert}", "Alerts raised by kind and severity.");

    static AistoMetrics()
    {
        AistoTelemetry.Meter.CreateObservableGauge(
            "aisto.gpus.allocated", () => PoolGauge(p => (double)p.Pool.Allocated), "{gpu}", "GPUs allocated per region, GPU model and pool.");
        AistoTelemetry.Meter.CreateObservableGauge(
            "aisto.gpus.free", () => PoolGauge(p => (double)p.Pool.Free), "{gpu}", "Unused guaranteed GPUs per region, GPU model and pool.");
        AistoTelemetry.Meter.CreateObservableGauge(
            "aisto.gpus.borrowed", () => PoolGauge(p => (double)p.Pool.Borrowed), "{gpu}", "GPUs a pool holds beyond its share, per region and model.");
        AistoTelemetry.Meter.CreateObservableGauge(
            "aisto.gpus.total", () => PoolGauge(p => (double)p.Pool.Total), "{gpu}", "Guaranteed GPUs per region, GPU model and pool.");
        AistoTelemetry.Meter.CreateObservableGauge(
            "aisto.queue.length", QueueGauge, "{lease}", "Leases waiting per region and GPU model.");
        AistoTelemetry.Meter.CreateObservableGauge(
            "aisto.region.up", () => RegionStatusCache.Latest.Select(r =>
                new Measurement<int>(r.IsUp ? 1 : 0, new KeyValuePair<string, object?>("region", r.Region.Id))), "1", "1 when the region answers.");
    }

    /// <summary>Forces the static instruments (incl. the gauges) to exist before the first export.</summary>
    public static void EnsureCreated()
    {
    }

    public static void FunctionInvoked(string function, string trigger, bool succeeded, TimeSpan duration)
    {
        var tags = new TagList { { "function", function }, { "trigger", trigger }, { "outcome", succeeded ? "success" : "failure" } };
        Invocations.Add(1, tags);
        InvocationDuration.Record(duration.TotalSeconds, tags);
    }

    public static void ActivityRan(string activity, bool succeeded, TimeSpan duration)
    {
        var tags = new TagList { { "activity", activity }, { "outcome", succeeded ? "success" : "failure" } };
        ActivityRuns.Add(1, tags);
        ActivityDuration.Record(duration.TotalSeconds, tags);
    }

    public static void OrchestrationStarted(string orchestration) =>
        OrchestrationsStarted.Add(1, new KeyValuePair<string, object?>("orchestration", orchestration));

    public static void LeaseTransitioned(string? from, string to, string pool, string gpuModel) =>
        LeaseTransitions.Add(1, new TagList { { "from", from ?? "none" }, { "to", to }, { "pool", pool }, { "gpu_model", gpuModel } });

    public static void LeaseWaited(string region, string gpuModel, string pool, TimeSpan wait) =>
        QueueWait.Record(Math.Max(0, wait.TotalSeconds), new TagList { { "region", region }, { "gpu_model", gpuModel }, { "pool", pool } });

    /// <summary>For the autoscaler: one applied action (provision, drain, remove, uncordon) of <paramref name="nodes"/> nodes.</summary>
    public static void ScalingApplied(string region, string gpuModel, string pool, string action, int nodes) =>
        ScalingActions.Add(nodes, new TagList { { "region", region }, { "gpu_model", gpuModel }, { "pool", pool }, { "action", action } });

    /// <summary>For intake triggers: one message taken in (<paramref name="outcome"/>: accepted, duplicate, rejected).</summary>
    public static void IntakeReceived(string source, string outcome) =>
        Intake.Add(1, new TagList { { "source", source }, { "outcome", outcome } });

    /// <summary>For the payout orchestrator: one epoch run finished (<paramref name="outcome"/>: completed, failed, skipped).</summary>
    public static void PayoutRan(long epoch, string outcome) =>
        PayoutRuns.Add(1, new TagList { { "epoch", epoch }, { "outcome", outcome } });

    public static void AlertRaised(string kind, string severity) =>
        AlertsRaised.Add(1, new TagList { { "kind", kind }, { "severity", severity } });

    private static IEnumerable<Measurement<double>> PoolGauge(Func<(string Region, string Model, Aisto.Domain.Monitoring.PoolStatus Pool), double> value) =>
        from r in RegionStatusCache.Latest
        from m in r.Models
        from p in m.Pools
        select new Measurement<double>(
            value((r.Region.Id, m.Model, p)),
            new KeyValuePair<string, object?>("region", r.Region.Id),
            new KeyValuePair<string, object?>("gpu_model", m.Model),
            new KeyValuePair<string, object?>("pool", p.Pool));

    private static IEnumerable<Measurement<int>> QueueGauge() =>
        from r in RegionStatusCache.Latest
        from m in r.Models
        select new Measurement<int>(
            m.QueueLength,
            new KeyValuePair<string, object?>("region", r.Region.Id),
            new KeyValuePair<string, object?>("gpu_model", m.Model));
}
