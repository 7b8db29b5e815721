using Aisto.Domain.Scaling;

namespace Aisto.Sim.Autoscale;

/// <summary>A fixed fleet sized for the trace's peak demand, there from the start and never changed.</summary>
internal sealed class StaticPeakPolicy(int nodes) : IAutoscalePolicy
{
    public string Name => "static-peak";

    public int InitialNodes => nodes;

    public ForecastPoint? LastForecast => null;

    public IReadOnlyList<ScaleAction> Decide(FleetView view) => [];
}
