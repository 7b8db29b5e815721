namespace Aisto.Domain.Scheduling.Packing;

/// <summary>One kind of request in a target workload and its relative frequency.</summary>
public sealed record WorkloadKind(ResourceRequest Request, long Weight);

/// <summary>
/// The request mix the runtime packs for, in domain terms (model names, not catalog bits); compiled against each
/// cluster's model catalog into a <see cref="WorkloadProfile"/>.
/// </summary>
public sealed record TargetWorkload(IReadOnlyList<WorkloadKind> Kinds)
{
    /// <summary>
    /// The default mix: every catalog model (H100, A100, L40S, RTX4090) in the API's sizes, 8 cores and 64 GiB per
    /// GPU (proportionally less for shares); single GPUs most common, 8-GPU training jobs rarest.
    /// </summary>
    public static TargetWorkload Default { get; } = new(
        [.. from model in new[] { "H100", "A100", "L40S", "RTX4090" }
            from size in new (int Whole, int Milli, long Weight)[] { (1, 0, 40), (2, 0, 15), (4, 0, 8), (8, 0, 5), (0, 500, 20), (0, 250, 12) }
            let gpu = size.Whole > 0 ? GpuDemand.Whole(size.Whole) : GpuDemand.Fraction(size.Milli)
            let cpu = Math.Max(1000, gpu.TotalMilli * 8)
            let memory = Math.Max(8192L, gpu.TotalMilli * 64L * 1024 / 1000)
            select new WorkloadKind(new ResourceRequest([model], gpu, cpu, memory), size.Weight)]);

    public WorkloadProfile Compile(GpuModelCatalog catalog) =>
        WorkloadProfile.Of(Kinds.Select(k => (PackingRequest.From(k.Request, catalog), k.Weight)));
}
