using Microsoft.Extensions.Logging;

namespace Aisto.Faults;

/// <summary>Runs one kind of the fault campaign (the console and the CI test both call this).</summary>
public static class FaultCampaign
{
    public static Task<FaultReport> RunAsync(string kind, FaultSettings settings, ILoggerFactory logger) => kind switch
    {
        "lease" => LeaseFaults.RunAsync(settings, logger),
        "depin" => DepinFaults.RunAsync(settings, logger),
        "payout" => PayoutFaults.RunAsync(settings, logger),
        "autoscale" => AutoscaleFaults.RunAsync(settings, logger),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown fault kind."),
    };
}
