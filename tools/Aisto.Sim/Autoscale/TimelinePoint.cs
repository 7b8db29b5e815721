namespace Aisto.Sim.Autoscale;

/// <summary>One tick of a replay for the plot: demand, capacity and the band the policy planned for.</summary>
internal readonly record struct TimelinePoint(
    double Seconds,
    double RequestedGpus,
    double ReadyGpus,
    double ProvisionedGpus,
    double ForecastLower,
    double ForecastExpected,
    double ForecastUpper);
