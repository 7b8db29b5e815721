namespace Aisto.Orchestrations.Incubation;

/// <summary>
/// Incubation grants and the draws leases make on them. A draw and the grant's used hours change together, under
/// optimistic concurrency, and each lease draws at most once and settles at most once.
/// </summary>
public interface IIncubationGrantStore
{
    Task CreateAsync(IncubationGrant grant, CancellationToken cancellationToken = default);

    /// <summary>One tenant's grants, or every grant when <paramref name="tenantId"/> is null; newest first.</summary>
    Task<IReadOnlyList<IncubationGrant>> ListAsync(string? tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Draws <paramref name="gpuHours"/> for <paramref name="leaseId"/> from one of the tenant's grants unexpired at
    /// <paramref name="asOf"/> that has enough left (the one expiring first). Drawing again for the same lease
    /// changes nothing and answers <see cref="DrawOutcome.AlreadyDrawn"/>.
    /// </summary>
    Task<DrawResult> TryDrawAsync(string tenantId, string leaseId, decimal gpuHours, DateTimeOffset asOf, CancellationToken cancellationToken = default);

    Task<IncubationDraw?> GetDrawAsync(string tenantId, string leaseId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records what one run of a re-queued incubation lease used (<paramref name="runKey"/> names the run; recording
    /// it again changes nothing): an unsettled draw's used hours add up its finished runs until it is settled.
    /// Returns the draw; null when the lease drew nothing.
    /// </summary>
    Task<IncubationDraw?> RecordRunAsync(string tenantId, string leaseId, string runKey, decimal gpuHours, CancellationToken cancellationToken = default);

    /// <summary>
    /// Settles a lease's draw: its grant keeps <paramref name="usedGpuHours"/> (at most what was drawn) and gets the
    /// rest back. Returns the settled draw; settling again changes nothing. Null when the lease drew nothing.
    /// </summary>
    Task<IncubationDraw?> SettleAsync(string tenantId, string leaseId, decimal usedGpuHours, CancellationToken cancellationToken = default);
}
