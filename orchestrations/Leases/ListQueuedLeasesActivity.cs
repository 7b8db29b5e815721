using Aisto.Domain.Leases;
using Aisto.Orchestrations.Durable;

namespace Aisto.Orchestrations.Leases;

/// <summary>The oldest queued leases, so a lifecycle that frees capacity can wake them.</summary>
public sealed class ListQueuedLeasesActivity(ILeaseStore leases) : AistoActivity<int, IReadOnlyList<string>>
{
    public override async Task<IReadOnlyList<string>> ExecuteAsync(int input, CancellationToken cancellationToken)
    {
        var queued = await leases.ListByStatusAsync(LeaseStatus.Queued, input, cancellationToken);
        return [.. queued.Select(l => l.LeaseId)];
    }
}
