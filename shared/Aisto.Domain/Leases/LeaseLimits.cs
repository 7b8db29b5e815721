namespace Aisto.Domain.Leases;

/// <summary>The ranges the API accepts for a lease request (../API.md §Leases).</summary>
public static class LeaseLimits
{
    public const int MinGpuCount = 1;
    public const int MaxGpuCount = 8;
    public const decimal MinGpuFraction = 0.1m;
    public const decimal MaxGpuFraction = 0.9m;
    public const decimal MinDurationHours = 0.25m;
    public const decimal MaxDurationHours = 720m;
    public const int MinCpuCores = 1;
    public const int MaxCpuCores = 256;
    public const int MinMemoryGiB = 1;
    public const int MaxMemoryGiB = 2048;
    public const double MinMaxLatencyMs = 1;
    public const double MaxMaxLatencyMs = 10_000;
    public const decimal MinAdditionalHours = 0.25m;
}
