using Aisto.Domain.Leases;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Regions;

namespace Aisto.Orchestrations.Leases;

/// <summary>
/// Input of <see cref="StartLeaseWorkloadActivity"/>: the workload to start and, for the moment it runs, the lease's
/// length and what its earlier runs already billed.
/// </summary>
public sealed record StartLeaseWorkloadInput(string Region, WorkloadSpec Spec, TimeSpan Duration, decimal ChargedBefore);

/// <summary>Input of <see cref="CheckLeaseWorkloadActivity"/>.</summary>
public sealed record CheckLeaseWorkloadInput(string Region, string LeaseId, TimeSpan Duration, decimal ChargedBefore);

/// <summary>The workload's phase and, once it runs, when the lease became Active (its billing starts there).</summary>
public sealed record LeaseWorkloadProgress(WorkloadState State, DateTimeOffset? ActiveAt);

/// <summary>
/// Starts a lease's workload (idempotent in every region adapter) and reports its phase; when it already runs, the
/// lease becomes Active in the same step — one activity (and one orchestration turn) fewer per lease than recording
/// it separately.
/// </summary>
public sealed class StartLeaseWorkloadActivity(IRegionDirectory regions, LeaseActivation activation)
    : AistoActivity<StartLeaseWorkloadInput, LeaseWorkloadProgress>
{
    public override async Task<LeaseWorkloadProgress> ExecuteAsync(StartLeaseWorkloadInput input, CancellationToken cancellationToken)
    {
        var region = regions.Get(input.Region);
        var state = await region.ProvisionAsync(input.Spec, cancellationToken);
        return await activation.ActivateIfRunningAsync(input.Spec.LeaseId, state, input.Duration, input.ChargedBefore, cancellationToken);
    }
}

/// <summary>Reads a lease workload's phase once (the orchestrator polls with durable timers); marks the lease Active when it runs.</summary>
public sealed class CheckLeaseWorkloadActivity(IRegionDirectory regions, LeaseActivation activation)
    : AistoActivity<CheckLeaseWorkloadInput, LeaseWorkloadProgress>
{
    public override async Task<LeaseWorkloadProgress> ExecuteAsync(CheckLeaseWorkloadInput input, CancellationToken cancellationToken)
    {
        var state = await regions.Get(input.Region).GetWorkloadStateAsync(input.LeaseId, cancellationToken);
        return await activation.ActivateIfRunningAsync(input.LeaseId, state, input.Duration, input.ChargedBefore, cancellationToken);
    }
}

/// <summary>Marks a lease Active when its workload runs: its clock starts then and it expires a duration later.</summary>
public sealed class LeaseActivation(ILeaseStore leases, TimeProvider clock)
{
    /// <summary>
    /// Idempotent: a lease that is already Active keeps the start it has (a retried activity must not move it), and
    /// a lease that ended meanwhile stays ended.
    /// </summary>
    public async Task<LeaseWorkloadProgress> ActivateIfRunningAsync(
        string leaseId, WorkloadState state, TimeSpan duration, decimal chargedBefore, CancellationToken cancellationToken)
    {
        if (state.Phase != WorkloadPhase.Running)
        {
            return new LeaseWorkloadProgress(state, null);
        }

        var now = clock.GetUtcNow();
        var lease = await leases.UpdateAsync(
            leaseId,
            l => l.Status == LeaseStatus.Active && l.ActiveAt is not null
                ? l
                : new LeaseTransition(leaseId, LeaseStatus.Active, ActiveAt: now, ExpiresAt: now + duration, ChargedSoFar: chargedBefore).ApplyTo(l),
            cancellationToken);
        return new LeaseWorkloadProgress(state, lease.ActiveAt ?? now);
    }
}
