using Aisto.Orchestrations.Durable;

namespace Aisto.Orchestrations.Leases;

/// <summary>Input of <see cref="ListQueuedLeasesActivity"/>: which GPU model was freed and how many leases to wake.</summary>
public sealed record ListQueuedLeasesInput(string GpuModel, int Max);

/// <summary>
/// The oldest leases waiting for the freed GPU model, so a lifecycle that frees capacity wakes only leases that
/// could use it (and not ones still on their first booking attempt).
/// </summary>
public sealed class ListQueuedLeasesActivity(ILeaseStore leases) : AistoActivity<ListQueuedLeasesInput, IReadOnlyList<string>>
{
    public override async Task<IReadOnlyList<string>> ExecuteAsync(ListQueuedLeasesInput input, CancellationToken cancellationToken)
    {
        var queued = await leases.ListQueuedAsync(10_000, cancellationToken);
        return [.. queued
            .Where(l => l.Waiting && string.Equals(l.GpuModel, input.GpuModel, StringComparison.OrdinalIgnoreCase))
            .Take(input.Max)
            .Select(l => l.LeaseId)];
    }
}

/// <summary>Records that a queued lease found no capacity on its first try, so freed capacity wakes it.</summary>
public sealed class MarkLeaseWaitingActivity(ILeaseStore leases) : AistoActivity<string, bool>
{
    public override async Task<bool> ExecuteAsync(string input, CancellationToken cancellationToken)
    {
        await leases.MarkWaitingAsync(input, cancellationToken);
        return true;
    }
}
