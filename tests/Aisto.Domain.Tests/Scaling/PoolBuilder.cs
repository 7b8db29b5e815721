using System.Collections.Immutable;
using Aisto.Domain.Scaling;

namespace Aisto.Domain.Tests.Scaling;

/// <summary>Fluent fixtures for the planner: <c>Pool().Ready("n1", running: 8).Provisioning(1).Requested(12)</c>.</summary>
internal sealed class PoolBuilder
{
    public static readonly DateTimeOffset Now = new(2024, 3, 4, 12, 0, 0, TimeSpan.Zero);

    private readonly List<PoolNode> _nodes = [];
    private int _provisioning;
    private double? _requested;
    private DateTimeOffset? _lastOut;
    private DateTimeOffset? _lastIn;
    private double _unplaceable;

    public static PoolBuilder Pool() => new();

    public PoolBuilder Ready(string id, double running = 0)
    {
        _nodes.Add(new PoolNode(id, running));
        return this;
    }

    public PoolBuilder ReadyNodes(int count, double runningEach = 0)
    {
        for (var i = 0; i < count; i++)
        {
            Ready($"n{_nodes.Count + 1:D2}", runningEach);
        }

        return this;
    }

    public PoolBuilder Draining(string id, double running = 0)
    {
        _nodes.Add(new PoolNode(id, running, Draining: true));
        return this;
    }

    public PoolBuilder Provisioning(int count)
    {
        _provisioning = count;
        return this;
    }

    public PoolBuilder Requested(double gpus)
    {
        _requested = gpus;
        return this;
    }

    public PoolBuilder Unplaceable(double gpus)
    {
        _unplaceable = gpus;
        return this;
    }

    public PoolBuilder ScaledOut(TimeSpan ago)
    {
        _lastOut = Now - ago;
        return this;
    }

    public PoolBuilder ScaledIn(TimeSpan ago)
    {
        _lastIn = Now - ago;
        return this;
    }

    public PoolState Build() => new(
        new DemandSeriesKey("singapore", "H100", "leasing"),
        [.. _nodes],
        _provisioning,
        _requested ?? _nodes.Sum(n => n.RunningGpus),
        _lastOut,
        _lastIn,
        _unplaceable);

    /// <summary>A forecast whose upper band is <paramref name="gpus"/> throughout the next hour.</summary>
    public static DemandForecast Forecast(double gpus, double? expected = null) => new(
        Now,
        TimeSpan.FromMinutes(5),
        ForecastMethod.Known,
        gpus,
        Enumerable.Range(1, 12)
            .Select(h => new ForecastPoint(Now.AddMinutes(5 * h), expected ?? gpus, expected ?? gpus, gpus))
            .ToImmutableArray());
}
