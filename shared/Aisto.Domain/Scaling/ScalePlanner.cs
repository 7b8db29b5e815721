using System.Collections.Immutable;
using System.Globalization;

namespace Aisto.Domain.Scaling;

/// <summary>
/// Decides how many nodes a pool should have: enough for the forecast's upper band over the planning window
/// (lead time + plan interval) plus headroom, never less than what is asked for now nor what running work holds,
/// with nodes of their own for queued work that fits on no node,
/// within min/max, step limits, cooldowns and hysteresis. Scales in only through nodes that run nothing: busy
/// nodes are drained first and removed by a later plan once empty. Pure: time enters as <c>asOf</c>.
/// </summary>
public sealed class ScalePlanner
{
    public ScalePlanner(ScalingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        Policy = policy;
    }

    public ScalingPolicy Policy { get; }

    /// <summary>Plans one pool at <paramref name="asOf"/> from its state and its demand forecast (null = none).</summary>
    public ScalePlan Plan(PoolState state, DemandForecast? forecast, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(state);
        var gpusPerNode = (double)Policy.GpusPerNode;

        // 1. what has to be served: the forecast's upper band over the window a new node could not cover in time,
        //    and never less than what is asked for right now
        var forecastGpus = forecast?.PeakUpper(Policy.PlanningWindow) ?? 0;
        var target = (Math.Max(forecastGpus, state.RequestedGpus) * (1 + Policy.HeadroomFraction)) + Policy.HeadroomGpus;

        // 2. the nodes that takes, within min/max; running work is never planned away, even above max
        var floor = Math.Max(Policy.MinNodes, NodesFor(state.RunningGpus, gpusPerNode));
        var desired = Math.Max(floor, Math.Clamp(NodesFor(target, gpusPerNode), Policy.MinNodes, Policy.MaxNodes));
        var active = state.ActiveNodes;

        // 2b. whole-node reserve: beside the nodes running work, keep IdleNodeReserve empty ones (nodes on their way
        //     count as empty), so a whole-node request does not wait a lead time while the GPU totals look fine
        var reserved = Math.Min(ReservedNodes(state), Math.Max(Policy.MaxNodes, floor));
        desired = Math.Max(desired, reserved);

        // 3. queued work that fits on no ready node needs nodes of its own, whatever the GPU totals say (free GPUs
        //    scattered over busy nodes cannot take an 8-GPU request); nodes on their way count towards them
        if (state.UnplaceableGpus > 0)
        {
            var inService = state.Nodes.Count(n => !n.Draining);
            var forQueue = inService + Math.Max(state.ProvisioningNodes, NodesFor(state.UnplaceableGpus, gpusPerNode));
            desired = Math.Max(desired, Math.Min(forQueue, Math.Max(Policy.MaxNodes, floor)));
        }

        var actions = ImmutableArray.CreateBuilder<ScaleAction>();
        var direction = ScaleDirection.Hold;
        string reason;
        var uncordoned = new HashSet<string>(StringComparer.Ordinal);

        if (desired > active)
        {
            // 4. scale out: draining nodes come back first (they are already there), then new ones are asked for
            if (Elapsed(state.LastScaleOutAt, asOf, Policy.ScaleOutCooldown))
            {
                var missing = Math.Min(desired - active, Policy.MaxScaleOutStep);
                foreach (var node in state.Nodes.Where(n => n.Draining).OrderByDescending(n => n.RunningGpus).ThenBy(n => n.NodeId, StringComparer.Ordinal).Take(missing))
                {
                    uncordoned.Add(node.NodeId);
                }

                if (uncordoned.Count > 0)
                {
                    actions.Add(ScaleAction.On(ScaleActionKind.Uncordon, uncordoned.Order(StringComparer.Ordinal)));
                }

                if (missing > uncordoned.Count)
                {
                    actions.Add(ScaleAction.Provision(missing - uncordoned.Count));
                }

                direction = ScaleDirection.Out;
                reason = Invariant($"scale out {active}→{active + missing} nodes for {target:F1} GPUs");
            }
            else
            {
                reason = Invariant($"scale out to {desired} nodes held by cooldown");
            }
        }
        else
        {
            // 5. scale in, only past the hysteresis band and the cooldown, and only through nodes that run nothing
            var desiredIn = Math.Max(Math.Max(floor, reserved), Math.Clamp(NodesFor(target + Policy.ScaleInHysteresisGpus, gpusPerNode), Policy.MinNodes, Policy.MaxNodes));
            var inService = state.Nodes.Where(n => !n.Draining).ToList();
            var surplus = Math.Min(Math.Min(active - desiredIn, Policy.MaxScaleInStep), inService.Count);
            if (surplus <= 0)
            {
                reason = desired < active
                    ? Invariant($"hold {active} nodes: within hysteresis of {target:F1} GPUs")
                    : Invariant($"hold {active} nodes for {target:F1} GPUs");
            }
            else if (!Elapsed(state.LastScaleOutAt, asOf, Policy.ScaleInCooldown) || !Elapsed(state.LastScaleInAt, asOf, Policy.ScaleInCooldown))
            {
                reason = Invariant($"scale in to {active - surplus} nodes held by cooldown");
            }
            else
            {
                var chosen = inService
                    .OrderBy(n => n.RunningGpus)
                    .ThenBy(n => n.NodeId, StringComparer.Ordinal)
                    .Take(surplus)
                    .ToList();
                var idle = chosen.Where(n => n.IsIdle).Select(n => n.NodeId).ToList();
                var busy = chosen.Where(n => !n.IsIdle).Select(n => n.NodeId).ToList();
                if (idle.Count > 0)
                {
                    actions.Add(ScaleAction.On(ScaleActionKind.Remove, idle));
                }

                if (busy.Count > 0)
                {
                    actions.Add(ScaleAction.On(ScaleActionKind.Drain, busy));
                }

                direction = ScaleDirection.In;
                reason = Invariant($"scale in {active}→{active - surplus} nodes for {target:F1} GPUs");
            }
        }

        // 6. drained nodes that have emptied are given back
        var emptied = state.Nodes
            .Where(n => n.Draining && n.IsIdle && !uncordoned.Contains(n.NodeId))
            .Select(n => n.NodeId)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (emptied.Count > 0)
        {
            actions.Add(ScaleAction.On(ScaleActionKind.Remove, emptied));
        }

        return new ScalePlan(
            asOf,
            state.Pool,
            Policy.ForecastOnly ? ScaleMode.ForecastOnly : ScaleMode.Act,
            direction,
            forecastGpus,
            target,
            active,
            desired,
            actions.ToImmutable(),
            reason);
    }

    private int ReservedNodes(PoolState state)
    {
        var busy = state.Nodes.Count(n => !n.Draining && !n.IsIdle);
        return Policy.IdleNodeReserve == 0 || busy < Policy.IdleNodeReserveFromBusyNodes ? 0 : busy + Policy.IdleNodeReserve;
    }

    private static int NodesFor(double gpus, double gpusPerNode) =>
        gpus <= 1e-9 ? 0 : (int)Math.Ceiling((gpus / gpusPerNode) - 1e-9);

    private static bool Elapsed(DateTimeOffset? last, DateTimeOffset asOf, TimeSpan cooldown) =>
        last is null || asOf - last.Value >= cooldown;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
