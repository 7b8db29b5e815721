namespace Aisto.Orchestrations.Incubation;

/// <summary>GPU-hours an operator granted a tenant for incubation leases, and how many are drawn so far.</summary>
/// <param name="UsedGpuHours">Drawn by incubation leases: their full size while they run, what they used once they end.</param>
public sealed record IncubationGrant(
    string GrantId,
    string TenantId,
    decimal GpuHours,
    decimal UsedGpuHours,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt)
{
    public decimal RemainingGpuHours => GpuHours - UsedGpuHours;
}

/// <summary>What one incubation lease drew from a grant; settled (the unused part given back) when the lease ends.</summary>
/// <param name="UsedGpuHours">Once settled, what the lease used in all; before, what its finished earlier runs used
/// (a lease preempted and re-queued runs more than once).</param>
public sealed record IncubationDraw(string LeaseId, string TenantId, string GrantId, decimal GpuHours, bool Settled, decimal UsedGpuHours);

/// <summary>How an attempt to draw from a tenant's grants went.</summary>
public enum DrawOutcome
{
    Drawn,
    AlreadyDrawn,
    NoGrant,
    Expired,
    UsedUp,
}

/// <summary>The outcome of a draw; <paramref name="RemainingGpuHours"/> is the most any unexpired grant still has.</summary>
public sealed record DrawResult(DrawOutcome Outcome, IncubationDraw? Draw, decimal RemainingGpuHours);
