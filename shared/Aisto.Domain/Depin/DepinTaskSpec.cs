using Aisto.Domain.Scheduling;

namespace Aisto.Domain.Depin;

/// <summary>One DePIN task as it arrived on the intake queue, already validated (../API.md §DePIN).</summary>
public sealed record DepinTaskSpec(
    string TaskId,
    string ProjectId,
    string GpuModel,
    GpuDemand Gpu,
    decimal DurationMinutes,
    string Image,
    IReadOnlyList<string> Command)
{
    /// <summary>Whole seconds the task runs (at least one).</summary>
    public long DurationSeconds => Math.Max(1, (long)Math.Round(DurationMinutes * 60m, MidpointRounding.AwayFromZero));

    /// <summary>What the task costs in GPU-time: thousandths of a GPU × seconds.</summary>
    public long CostGpuMilliSeconds => DepinRewards.GpuMilliSeconds(Gpu.TotalMilli, DurationSeconds);
}
