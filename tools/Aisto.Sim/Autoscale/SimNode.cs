namespace Aisto.Sim.Autoscale;

/// <summary>A node of the simulated fleet, from the moment it is asked for to the moment it is given back.</summary>
internal sealed class SimNode(string id, double requestedAt, double readyAt, int capacityMilli)
{
    public string Id { get; } = id;

    public double RequestedAt { get; } = requestedAt;

    public double ReadyAt { get; } = readyAt;

    public int CapacityMilli { get; } = capacityMilli;

    public double? RemovedAt { get; set; }

    public bool Draining { get; set; }

    public int UsedMilli { get; set; }

    /// <summary>Since when the node has run nothing (its ready time if it never ran anything).</summary>
    public double EmptySince { get; set; } = readyAt;

    public int FreeMilli => CapacityMilli - UsedMilli;

    public bool IsReady(double now) => ReadyAt <= now;
}
