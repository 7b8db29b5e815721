using Aisto.Domain.Scheduling;

namespace Aisto.Domain.Scaling;

/// <summary>A request waiting for capacity, as demand: the region it is counted in, its capacity pool, what it needs and since when.</summary>
public sealed record QueuedDemand(string Region, string Pool, string GpuModel, ResourceRequest Request, DateTimeOffset QueuedSince)
{
    public double Gpus => Request.Gpu.TotalMilli / (double)GpuDemand.MilliPerGpu;
}
