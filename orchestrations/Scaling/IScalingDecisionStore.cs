namespace Aisto.Orchestrations.Scaling;

/// <summary>The autoscaler's decisions per region, newest first.</summary>
public interface IScalingDecisionStore
{
    /// <summary>Stores a decision; recording the same run and pool again overwrites it.</summary>
    Task RecordAsync(ScalingDecision decision, CancellationToken cancellationToken = default);

    /// <summary>The region's decisions made at or after <paramref name="since"/>, newest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<ScalingDecision>> ListAsync(string region, DateTimeOffset since, int max, CancellationToken cancellationToken = default);

    /// <summary>Deletes the region's decisions older than <paramref name="before"/>; returns how many.</summary>
    Task<int> DeleteOlderAsync(string region, DateTimeOffset before, CancellationToken cancellationToken = default);
}
