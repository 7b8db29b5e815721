using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Regions;

namespace Aisto.Orchestrations.Leases;

/// <summary>Input of <see cref="ReleaseCapacityActivity"/>.</summary>
public sealed record ReleaseCapacityInput(string LeaseId, string Region, string NodeId);

/// <summary>Gives a lease's GPUs back to its node row (ETag-guarded); releasing twice changes nothing.</summary>
public sealed class ReleaseCapacityActivity(IInventoryStore inventory, InventoryWriteGate gate) : AistoActivity<ReleaseCapacityInput, bool>
{
    public override Task<bool> ExecuteAsync(ReleaseCapacityInput input, CancellationToken cancellationToken) =>
        gate.RunAsync(() => ReleaseAsync(input, cancellationToken), cancellationToken);

    private async Task<bool> ReleaseAsync(ReleaseCapacityInput input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await inventory.GetNodeAsync(input.Region, input.NodeId, cancellationToken);
            if (current is null || !current.Node.Allocations.ContainsKey(input.LeaseId))
            {
                return false;
            }

            if (await inventory.TryReplaceAsync(current, current.Node.Release(input.LeaseId), cancellationToken))
            {
                return true;
            }
        }
    }
}
