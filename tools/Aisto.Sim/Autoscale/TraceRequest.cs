namespace Aisto.Sim.Autoscale;

/// <summary>One request of a demand trace: when it arrives, how long it runs once placed, and how many GPUs.</summary>
internal sealed record TraceRequest(double ArrivalSeconds, double DurationSeconds, double Gpus, string? GpuModel = null);
