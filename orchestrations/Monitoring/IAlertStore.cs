using Aisto.Domain.Monitoring;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>Recorded alerts. At most one alert per key is open at a time, across processes.</summary>
public interface IAlertStore
{
    /// <summary>Records a new open alert unless one with the same key is open; returns the new alert, or null.</summary>
    Task<Alert?> TryOpenAsync(AlertCondition condition, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Resolves the open alert with this key; returns it, or null when none was open.</summary>
    Task<Alert?> ResolveAsync(string key, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Alert>> ListOpenAsync(CancellationToken cancellationToken = default);

    /// <summary>Alerts raised or resolved at or after <paramref name="since"/>, newest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<Alert>> ListRecentAsync(DateTimeOffset since, int max, CancellationToken cancellationToken = default);
}
