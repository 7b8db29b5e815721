using Aisto.Domain.Scaling;

namespace Aisto.Sim.Autoscale;

/// <summary>An autoscaler under replay: the fleet it starts with and what it does at each tick.</summary>
internal interface IAutoscalePolicy
{
    string Name { get; }

    /// <summary>Nodes ready at second 0 (every policy starts warm, sized for the first lead time).</summary>
    int InitialNodes { get; }

    /// <summary>The actions to carry out now.</summary>
    IReadOnlyList<ScaleAction> Decide(FleetView view);

    /// <summary>The band the last decision planned for, if the policy forecasts (for the plot).</summary>
    ForecastPoint? LastForecast { get; }
}
