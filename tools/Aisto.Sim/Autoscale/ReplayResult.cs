namespace Aisto.Sim.Autoscale;

/// <summary>The figures of one replay, printed as one JSON object.</summary>
internal sealed record ReplayResult(
    string Policy,
    string Trace,
    int Requests,
    double SimulatedDays,
    double LeadTimeMinutes,
    double IntervalSeconds,
    int GpusPerNode,
    double GpuHoursProvisioned,
    double GpuHoursUsed,
    double Utilization,
    int SlowStarts,
    double SlowStartShare,
    double WaitP50Seconds,
    double WaitP95Seconds,
    double WaitP99Seconds,
    double WaitMaxSeconds,
    int ScaleActions,
    int NodesAdded,
    int NodesRemoved,
    int PeakNodes,
    int RefusedRemovals,
    double ElapsedSeconds);
