using System.Numerics;

namespace Aisto.Domain.Depin;

/// <summary>
/// Token rewards for delivered GPU-time: GPU-hours × the project's reward per GPU-hour, in token base units, with
/// exact integer math (GPU thousandths × seconds × rate ÷ 3,600,000, rounded down — a contributor is never paid for
/// a fraction of a base unit that was not earned).
/// </summary>
public static class DepinRewards
{
    private const long MilliSecondsPerGpuHour = 1000L * 3600L;

    public static BigInteger For(long gpuMilliSeconds, BigInteger rewardPerGpuHour)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gpuMilliSeconds);
        if (rewardPerGpuHour.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rewardPerGpuHour), "A reward rate cannot be negative.");
        }

        return gpuMilliSeconds * rewardPerGpuHour / MilliSecondsPerGpuHour;
    }

    /// <summary>GPU thousandths held × whole seconds run.</summary>
    public static long GpuMilliSeconds(int gpuMilli, long seconds) => checked(gpuMilli * seconds);

    /// <summary>GPU-seconds as the API shows them (thousandth precision).</summary>
    public static decimal GpuSeconds(long gpuMilliSeconds) => gpuMilliSeconds / 1000m;
}
