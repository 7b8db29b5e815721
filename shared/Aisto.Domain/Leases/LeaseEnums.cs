namespace Aisto.Domain.Leases;

/// <summary>How a lease is billed and whether it can be preempted.</summary>
public enum LeaseClass
{
    OnDemand,
    Spot,
    Reserved,
}

/// <summary>The capacity pool a lease draws from.</summary>
public enum LeasePool
{
    Leasing,
    Incubation,
}

/// <summary>What the tenant runs, for reporting and placement hints.</summary>
public enum LeasePurpose
{
    Training,
    DataProcessing,
    DepinDeployment,
    Inference,
}

/// <summary>What happens to a spot lease when it is preempted.</summary>
public enum PreemptionAction
{
    End,
    Requeue,
}
