namespace Aisto.Domain.Scaling;

/// <summary>Names one demand series and one scaled node pool: region × GPU model × capacity pool.</summary>
public readonly record struct DemandSeriesKey(string Region, string GpuModel, string Pool)
{
    public override string ToString() => $"{Region}/{GpuModel}/{Pool}";
}
