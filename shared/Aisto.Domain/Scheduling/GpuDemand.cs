using System.Text.Json.Serialization;

namespace Aisto.Domain.Scheduling;

/// <summary>
/// GPUs a workload needs: either whole GPUs (1–8) or a share of one GPU in thousandths (100–900),
/// the unit shared GPUs (MIG, time-slicing) are packed in.
/// </summary>
public readonly record struct GpuDemand
{
    public const int MilliPerGpu = 1000;

    /// <summary>Exactly one of the two must be positive; prefer <see cref="Whole(int)"/> and <see cref="Fraction(int)"/>.</summary>
    [JsonConstructor] // a struct would otherwise deserialize through its implicit empty constructor
    public GpuDemand(int wholeGpus, int fractionMilli)
    {
        if ((wholeGpus > 0) == (fractionMilli > 0) || wholeGpus < 0 || fractionMilli < 0 || fractionMilli >= MilliPerGpu)
        {
            throw new ArgumentException($"Either whole GPUs or a fraction below one GPU, not both ({wholeGpus}, {fractionMilli}m).");
        }

        WholeGpus = wholeGpus;
        FractionMilli = fractionMilli;
    }

    /// <summary>Whole GPUs requested; 0 for a fractional request.</summary>
    public int WholeGpus { get; }

    /// <summary>Thousandths of one shared GPU; 0 for a whole-GPU request.</summary>
    public int FractionMilli { get; }

    public bool IsFractional => FractionMilli > 0;

    /// <summary>The demand in thousandths of a GPU, for accounting and fair share.</summary>
    public int TotalMilli => IsFractional ? FractionMilli : WholeGpus * MilliPerGpu;

    /// <summary>The demand in GPUs (a fraction for a shared GPU).</summary>
    public decimal Gpus => TotalMilli / (decimal)MilliPerGpu;

    public static GpuDemand Whole(int gpus) =>
        gpus is >= 1 and <= 64 ? new GpuDemand(gpus, 0) : throw new ArgumentOutOfRangeException(nameof(gpus));

    public static GpuDemand Fraction(int milli) =>
        milli is >= 1 and < MilliPerGpu ? new GpuDemand(0, milli) : throw new ArgumentOutOfRangeException(nameof(milli));

    /// <summary>A fraction given as a decimal share (0.1–0.9) → thousandths, rounded half away from zero.</summary>
    public static GpuDemand Fraction(decimal share) =>
        Fraction((int)Math.Round(share * MilliPerGpu, MidpointRounding.AwayFromZero));

    public override string ToString() => IsFractional ? $"{FractionMilli}m GPU" : $"{WholeGpus} GPU";
}
