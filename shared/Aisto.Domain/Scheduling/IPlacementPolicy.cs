namespace Aisto.Domain.Scheduling;

/// <summary>Chooses a node for one request from an immutable snapshot of all regions; pure and deterministic.</summary>
public interface IPlacementPolicy
{
    /// <summary>The best node for the request, or null when nothing that is allowed fits now.</summary>
    PlacementDecision? Place(IReadOnlyList<RegionSnapshot> regions, PlacementRequest request);

    /// <summary>
    /// A session for many placements against <paramref name="regions"/> that the caller books itself. By default
    /// each placement is <see cref="Place"/> on the current nodes; a policy with a working copy of its own keeps it.
    /// </summary>
    IPlacementSession StartSession(IReadOnlyList<RegionSnapshot> regions) => new SnapshotPlacementSession(this, regions);
}
