namespace Aisto.Sim.Autoscale;

/// <summary>The simulated fleet: node size, how long a node takes to arrive, how often the autoscaler runs.</summary>
internal sealed record SimulationOptions
{
    public int GpusPerNode { get; init; } = 8;

    public TimeSpan NodeLeadTime { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A request that waits longer than this for capacity is a slow start.</summary>
    public TimeSpan SlowStart { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Trace second 0 as a calendar time (a Monday, 00:00 UTC), for the forecaster's seasonality.</summary>
    public DateTimeOffset Epoch { get; init; } = new(2023, 1, 2, 0, 0, 0, TimeSpan.Zero);
}
