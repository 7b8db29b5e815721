using System.Collections.Immutable;
using Aisto.Domain.Scaling;
using CsCheck;

namespace Aisto.Domain.Tests.Scaling;

public sealed class ScalePlannerProperties
{
    private static readonly Gen<PoolState> GenPool =
        Gen.Select(Gen.Int[0, 8].Array[0, 12], Gen.Bool.Array[12], Gen.Int[0, 5], Gen.Double[0, 120], Gen.Double[0, 1])
            .Select((running, draining, provisioning, queued, unplaceableShare) => new PoolState(
                new DemandSeriesKey("r", "H100", "leasing"),
                running.Select((r, i) => new PoolNode($"n{i:D2}", r, draining[i])).ToImmutableArray(),
                provisioning,
                running.Sum() + queued,
                UnplaceableGpus: queued * unplaceableShare));

    private static readonly Gen<ScalingPolicy> GenPolicy =
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, 20], Gen.Int[1, 6], Gen.Int[0, 6], Gen.Double[0, 16], Gen.Double[0, 8])
            .Select((min, extra, outStep, inStep, headroom, hysteresis) => new ScalingPolicy
            {
                MinNodes = min,
                MaxNodes = min + extra,
                MaxScaleOutStep = outStep,
                MaxScaleInStep = inStep,
                HeadroomGpus = headroom,
                ScaleInHysteresisGpus = hysteresis,
                ScaleInCooldown = TimeSpan.Zero,
            });

    [Fact]
    public void A_plan_never_drops_below_running_demand()
    {
        Gen.Select(GenPool, GenPolicy, Gen.Double[0, 200]).Sample((pool, policy, forecastGpus) =>
        {
            var plan = new ScalePlanner(policy).Plan(pool, PoolBuilder.Forecast(forecastGpus), PoolBuilder.Now);

            // Removals only ever take nodes that run nothing...
            var removed = plan.Actions.Where(a => a.Kind == ScaleActionKind.Remove).SelectMany(a => a.NodeIds).ToHashSet();
            var running = pool.Nodes.ToDictionary(n => n.NodeId);
            if (removed.Any(id => running[id].RunningGpus > 0))
            {
                return false;
            }

            // ...so the nodes left can hold all running work, and the plan itself never sizes below it.
            var capacityLeft = pool.Nodes.Where(n => !removed.Contains(n.NodeId)).Count() * policy.GpusPerNode;
            return capacityLeft >= pool.RunningGpus && plan.DesiredNodes * policy.GpusPerNode >= pool.RunningGpus;
        });
    }

    [Fact]
    public void A_plan_moves_no_more_nodes_than_its_steps_allow()
    {
        Gen.Select(GenPool, GenPolicy, Gen.Double[0, 200]).Sample((pool, policy, forecastGpus) =>
        {
            var plan = new ScalePlanner(policy).Plan(pool, PoolBuilder.Forecast(forecastGpus), PoolBuilder.Now);
            var added = plan.NodesProvisioned + plan.NodesUncordoned;
            var takenOut = plan.NodesDrained + plan.Actions.Where(a => a.Kind == ScaleActionKind.Remove)
                .SelectMany(a => a.NodeIds).Count(id => !pool.Nodes.Single(n => n.NodeId == id).Draining);
            return added <= policy.MaxScaleOutStep && takenOut <= policy.MaxScaleInStep && (added == 0 || takenOut == 0);
        });
    }
}
