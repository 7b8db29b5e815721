namespace Aisto.Orchestrations.Depin;

/// <summary>
/// A tenant lending <see cref="GpuCount"/> GPUs of its Active lease to a project. <see cref="Holders"/> are the tasks
/// running on those GPUs now (task id → GPU thousandths), written ETag-guarded so no pledged GPU is booked twice.
/// </summary>
public sealed record DepinPledge(
    string PledgeId,
    string TenantId,
    string LeaseId,
    string ProjectId,
    int GpuCount,
    string PayoutAddress,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyDictionary<string, int> Holders)
{
    public bool IsActive => EndedAt is null;

    public int FreeGpuMilli => (GpuCount * 1000) - Holders.Values.Sum();
}

/// <summary>A pledge as read, with the concurrency token its write must match.</summary>
public sealed record PledgeVersion(DepinPledge Pledge, string ETag);
