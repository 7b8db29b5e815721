using System.Collections.Immutable;

namespace Aisto.Domain.Scheduling;

/// <summary>What one workload holds on one node: which GPUs (and how much of each), CPU and memory.</summary>
/// <param name="HolderId">The lease or task id holding the resources.</param>
/// <param name="GpuIndices">Indices of the node's GPUs used.</param>
/// <param name="MilliPerGpu">Thousandths taken from each of those GPUs (1000 for whole GPUs).</param>
/// <param name="Terms">Class and timing of the booking (pools and preemption use them); null for bookings made without.</param>
public sealed record NodeAllocation(
    string HolderId,
    ImmutableArray<int> GpuIndices,
    int MilliPerGpu,
    int CpuMilli,
    long MemoryMiB,
    string Pool,
    BookingTerms? Terms = null)
{
    public int TotalGpuMilli => GpuIndices.Length * MilliPerGpu;
}

/// <summary>The terms a booking was made on.</summary>
/// <param name="Class">Lease class: spot work is reclaimed before on-demand; reserved work never.</param>
/// <param name="BookedAt">When it was booked: within a pool the earliest bookings fill the guarantee first.</param>
/// <param name="ExpectedEnd">When it is expected to give its resources back (wait estimates).</param>
/// <param name="ReclaimedFor">Set once a reclaim picked this booking to free capacity for that request.</param>
/// <param name="TenantId">The tenant a lease booking is for (fair share counts what each tenant holds from it); null
/// for DePIN tasks and for bookings made before it was recorded.</param>
public sealed record BookingTerms(
    Leases.LeaseClass Class, DateTimeOffset BookedAt, DateTimeOffset ExpectedEnd, string? ReclaimedFor = null, string? TenantId = null);
