namespace Aisto.Domain.Scheduling.Packing;

/// <summary>Chooses a node of one <see cref="PackingCluster"/> for a request; deterministic for a given seed.</summary>
public interface IPackingPolicy
{
    string Name { get; }

    /// <summary>The node (and shared GPU) for the request, or null when no node fits it now.</summary>
    PackingChoice? Choose(in PackingRequest request);
}
