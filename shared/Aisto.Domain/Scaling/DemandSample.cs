namespace Aisto.Domain.Scaling;

/// <summary>
/// One minute of demand for one pool of one GPU model in one region: what was asked for (running + queued GPUs),
/// what was allocated, the capacity, the queue and its p95 wait. The forecaster's input and the dashboard's record.
/// </summary>
public sealed record DemandSample(
    DateTimeOffset At,
    string Region,
    string GpuModel,
    string Pool,
    double RequestedGpus,
    double AllocatedGpus,
    double CapacityGpus,
    int QueueLength,
    double P95WaitSeconds)
{
    /// <summary>The series this sample belongs to.</summary>
    public DemandSeriesKey Key => new(Region, GpuModel, Pool);
}
