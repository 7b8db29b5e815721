namespace Aisto.Orchestrations.Regions;

/// <summary>
/// Lets one booking at a time read-place-write the inventory inside this process. Correctness never depends on it —
/// the ETag on each node row guards across processes — but without it concurrent activities here all pick the same
/// best node, and every loser re-reads the whole inventory.
/// </summary>
public sealed class InventoryWriteGate
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task<T> RunAsync<T>(Func<Task<T>> booking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(booking);
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await booking();
        }
        finally
        {
            gate.Release();
        }
    }
}
