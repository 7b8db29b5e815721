namespace Aisto.Sim.Pack;

/// <summary>The outcome of one workload-inflation run (GPU amounts in GPUs, shares in 0–1).</summary>
public sealed record PackResult(
    string Policy,
    int Seed,
    int Nodes,
    double TotalGpus,
    double ArrivedGpus,
    double AllocatedGpus,
    double UnallocatedGpuShare,
    int ArrivedPods,
    int FailedPods,
    double FailedGpus,
    double DecisionsPerSecond,
    double P99DecisionMicroseconds,
    IReadOnlyList<CurvePoint> Curve);

/// <summary>Allocated share of GPU capacity when arrived GPU demand reached <see cref="ArrivedShare"/> of it.</summary>
public sealed record CurvePoint(double ArrivedShare, double AllocatedShare);

/// <summary>Means over the seeds of one policy.</summary>
public sealed record PackSummary(
    string Policy,
    IReadOnlyList<int> Seeds,
    double TotalGpus,
    double ArrivedGpus,
    double AllocatedGpus,
    double UnallocatedGpus,
    double UnallocatedGpuShare,
    double FailedPods,
    double DecisionsPerSecond,
    IReadOnlyList<CurvePoint> Curve);
