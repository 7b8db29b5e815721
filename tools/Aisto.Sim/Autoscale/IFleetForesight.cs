namespace Aisto.Sim.Autoscale;

/// <summary>What only an oracle may ask of a replay: how many nodes the real future needs.</summary>
internal interface IFleetForesight
{
    /// <summary>
    /// Nodes that must exist by <paramref name="until"/> to place every request arriving before then on arrival:
    /// the busy nodes of now plus those opened when the known arrivals and completions of
    /// [<paramref name="now"/>, <paramref name="until"/>] are packed best-fit, as the scheduler would.
    /// </summary>
    int NodesNeeded(double now, double until);
}
