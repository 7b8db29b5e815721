using Aisto.Domain.Monitoring;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>
/// Where any feature reports a problem (a provisioning failure, a failed payout, a node gone). Raising a condition
/// whose alert is still open changes nothing; resolving one that is not open changes nothing.
/// </summary>
public interface IAlertSink
{
    Task<Alert?> RaiseAsync(AlertCondition condition, CancellationToken cancellationToken = default);

    Task<Alert?> ResolveAsync(string key, CancellationToken cancellationToken = default);
}
