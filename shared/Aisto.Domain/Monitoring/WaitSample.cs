namespace Aisto.Domain.Monitoring;

/// <summary>One lease that left the queue and started: where, which model and pool, and how long it waited.</summary>
public sealed record WaitSample(string Region, string GpuModel, string Pool, TimeSpan Wait, DateTimeOffset StartedAt);

/// <summary>One lease still waiting: its model, the region it is pinned to (null = any), pool and request time.</summary>
public sealed record QueuedDemand(string GpuModel, string? Region, string? Pool, DateTimeOffset RequestedAt);
