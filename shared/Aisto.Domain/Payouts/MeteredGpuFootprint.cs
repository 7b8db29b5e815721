namespace Aisto.Domain.Payouts;

/// <summary>
/// What a metered thing (a lease, or a DePIN task on the platform's own pool) held while a ledger line's period ran:
/// <paramref name="GpuMilli"/> GPU thousandths of <paramref name="GpuModel"/> in <paramref name="Region"/>. Keyed by
/// the ledger line's <c>Reference</c> (lease id, task id).
/// </summary>
public sealed record MeteredGpuFootprint(string Region, string GpuModel, int GpuMilli);
