using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Regions;

namespace Aisto.Orchestrations.Leases;

/// <summary>Identifies a lease's workload in its region.</summary>
public sealed record WorkloadRef(string Region, string LeaseId);

/// <summary>
/// Starts a lease's workload on its region's cluster (idempotent in every region adapter) and reports its phase
/// right away, so a workload that starts at once needs no separate readiness poll.
/// </summary>
public sealed class ProvisionWorkloadActivity(IRegionDirectory regions) : AistoActivity<ProvisionWorkloadInput, WorkloadState>
{
    public override async Task<WorkloadState> ExecuteAsync(ProvisionWorkloadInput input, CancellationToken cancellationToken)
    {
        return await regions.Get(input.Region).ProvisionAsync(input.Spec, cancellationToken);
    }
}

/// <summary>Input of <see cref="ProvisionWorkloadActivity"/>.</summary>
public sealed record ProvisionWorkloadInput(string Region, WorkloadSpec Spec);

/// <summary>Reads a workload's phase once; the orchestrator polls with durable timers between calls.</summary>
public sealed class CheckWorkloadActivity(IRegionDirectory regions) : AistoActivity<WorkloadRef, WorkloadState>
{
    public override Task<WorkloadState> ExecuteAsync(WorkloadRef input, CancellationToken cancellationToken) =>
        regions.Get(input.Region).GetWorkloadStateAsync(input.LeaseId, cancellationToken);
}

/// <summary>Removes a lease's workload; a workload that is already gone counts as removed.</summary>
public sealed class TeardownWorkloadActivity(IRegionDirectory regions) : AistoActivity<WorkloadRef, bool>
{
    public override async Task<bool> ExecuteAsync(WorkloadRef input, CancellationToken cancellationToken)
    {
        await regions.Get(input.Region).TeardownAsync(input.LeaseId, cancellationToken);
        return true;
    }
}
