namespace Aisto.Domain.Scheduling;

/// <summary>Chooses a node for one request from an immutable snapshot of all regions; pure and deterministic.</summary>
public interface IPlacementPolicy
{
    /// <summary>The best node for the request, or null when nothing that is allowed fits now.</summary>
    PlacementDecision? Place(IReadOnlyList<RegionSnapshot> regions, PlacementRequest request);
}
