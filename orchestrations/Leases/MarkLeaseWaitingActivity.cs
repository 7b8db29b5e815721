using Aisto.Orchestrations.Durable;

namespace Aisto.Orchestrations.Leases;

/// <summary>Records that a queued lease found no capacity on its first try, so freed capacity wakes it.</summary>
public sealed class MarkLeaseWaitingActivity(ILeaseStore leases) : AistoActivity<string, bool>
{
    public override async Task<bool> ExecuteAsync(string input, CancellationToken cancellationToken)
    {
        await leases.MarkWaitingAsync(input, cancellationToken);
        return true;
    }
}
