using System.Globalization;
using Aisto.Domain.Scaling;
using MathNet.Numerics.Statistics;

namespace Aisto.Sim.Autoscale;

/// <summary>
/// Replays a trace against a fleet of identical nodes driven by one policy. Requests wait in arrival order (a
/// later one that fits may pass an earlier one, as a Kubernetes scheduler would) and go to the ready, undrained
/// node they fill best; a request never spans nodes. A node costs from the moment it is asked for until it is
/// given back; the replay ends when the last request has finished.
/// </summary>
internal sealed class FleetSimulator(IReadOnlyList<TraceRequest> requests, SimulationOptions options, IAutoscalePolicy policy) : IFleetForesight
{
    private const int MilliPerGpu = 1000;
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(30);

    private readonly List<SimNode> _nodes = [];
    private readonly List<SimNode> _allNodes = [];
    private readonly PriorityQueue<(int Request, SimNode Node), double> _completions = new();
    private readonly PriorityQueue<SimNode, double> _readiness = new();
    private readonly List<int> _pending = [];
    private readonly double[] _waits = new double[requests.Count];
    private int _nodeSequence;
    private int _nextArrival;
    private double _runningGpus;
    private double _pendingGpus;
    private int _scaleActions;
    private int _nodesAdded;
    private int _nodesRemoved;
    private int _refusedRemovals;
    private int _peakNodes;

    public List<TimelinePoint> Timeline { get; } = [];

    /// <summary>Seconds each request waited for capacity, by trace order (after <see cref="Run"/>).</summary>
    public IReadOnlyList<double> Waits => _waits;

    public ReplayResult Run(string traceName, Action<double>? progress = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var lead = options.NodeLeadTime.TotalSeconds;
        var interval = options.Interval.TotalSeconds;
        for (var i = 0; i < policy.InitialNodes; i++)
        {
            AddNode(0, 0);
        }

        var lastArrival = requests.Count == 0 ? 0 : requests[^1].ArrivalSeconds;
        var nextTick = 0.0;
        var tickPeak = 0.0;
        var now = 0.0;
        var lastReported = -1;
        while (_nextArrival < requests.Count || _pending.Count > 0 || _completions.Count > 0)
        {
            if (_nextArrival == requests.Count && _completions.Count == 0 && now > lastArrival + GiveUpAfter.TotalSeconds)
            {
                break; // requests nobody will ever place (the policy adds no nodes): stop rather than spin
            }

            // 1. the next moment anything happens
            now = Math.Min(nextTick, _nextArrival < requests.Count ? requests[_nextArrival].ArrivalSeconds : double.MaxValue);
            if (_completions.TryPeek(out _, out var completionAt))
            {
                now = Math.Min(now, completionAt);
            }

            if (_readiness.TryPeek(out _, out var readyAt))
            {
                now = Math.Min(now, readyAt);
            }

            // 2. work that finishes, nodes that arrive, requests that come in
            var changed = false;
            while (_completions.TryPeek(out var done, out var at) && at <= now)
            {
                _completions.Dequeue();
                var gpus = requests[done.Request].Gpus;
                done.Node.UsedMilli -= Milli(gpus);
                _runningGpus -= gpus;
                if (done.Node.UsedMilli == 0)
                {
                    done.Node.EmptySince = now;
                }

                changed = true;
            }

            while (_readiness.TryPeek(out _, out var at) && at <= now)
            {
                _readiness.Dequeue();
                changed = true;
            }

            while (_nextArrival < requests.Count && requests[_nextArrival].ArrivalSeconds <= now)
            {
                _pending.Add(_nextArrival);
                _pendingGpus += requests[_nextArrival].Gpus;
                _nextArrival++;
                changed = true;
            }

            // 3. place what fits
            if (changed)
            {
                Schedule(now);
            }

            tickPeak = Math.Max(tickPeak, _runningGpus + _pendingGpus);

            // 4. the autoscaler's turn
            if (now >= nextTick)
            {
                var view = new FleetView(now, options.Epoch.AddSeconds(now), _nodes, _runningGpus + _pendingGpus, tickPeak, _runningGpus, _pendingGpus, _pending.Count, this);
                var actions = policy.Decide(view);
                if (Apply(actions, now, lead))
                {
                    Schedule(now);
                }

                Record(now, tickPeak);
                tickPeak = _runningGpus + _pendingGpus;
                nextTick += interval;
                var percent = lastArrival <= 0 ? 100 : (int)Math.Min(100, now * 100 / lastArrival);
                if (percent != lastReported)
                {
                    progress?.Invoke(percent / 100.0);
                    lastReported = percent;
                }
            }
        }

        if (lastReported != 100)
        {
            progress?.Invoke(1);
        }

        return Summarize(traceName, now, clock.Elapsed.TotalSeconds);
    }

    public int NodesNeeded(double now, double until)
    {
        // Replays the window on copies: busy nodes keep their load, completions free it where it ran, arrivals
        // (the waiting ones first) go best-fit, and a new node opens whenever nothing fits.
        var busy = _nodes.Where(n => n.UsedMilli > 0).ToList();
        var used = busy.Select(n => n.UsedMilli).ToList();
        var slot = busy.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        var capacity = options.GpusPerNode * MilliPerGpu;
        var events = new PriorityQueue<(int Request, int Node), (double At, int Order)>();
        foreach (var (item, at) in _completions.UnorderedItems)
        {
            if (at <= until)
            {
                events.Enqueue((item.Request, slot[item.Node]), (at, 0));
            }
        }

        foreach (var index in _pending)
        {
            events.Enqueue((index, -1), (now, 1));
        }

        for (var i = _nextArrival; i < requests.Count && requests[i].ArrivalSeconds <= until; i++)
        {
            events.Enqueue((i, -1), (requests[i].ArrivalSeconds, 1));
        }

        while (events.TryDequeue(out var e, out var when))
        {
            var milli = Milli(requests[e.Request].Gpus);
            if (e.Node >= 0)
            {
                used[e.Node] -= milli;
                continue;
            }

            var best = -1;
            for (var i = 0; i < used.Count; i++)
            {
                if (capacity - used[i] >= milli && (best < 0 || used[i] > used[best]))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                best = used.Count;
                used.Add(0);
            }

            used[best] += milli;
            var done = when.At + requests[e.Request].DurationSeconds;
            if (done <= until)
            {
                events.Enqueue((e.Request, best), (done, 0));
            }
        }

        return used.Count;
    }

    private static int Milli(double gpus) => (int)Math.Round(gpus * MilliPerGpu, MidpointRounding.AwayFromZero);

    private SimNode AddNode(double now, double readyAt)
    {
        var node = new SimNode("node-" + (++_nodeSequence).ToString(CultureInfo.InvariantCulture), now, readyAt, options.GpusPerNode * MilliPerGpu);
        _nodes.Add(node);
        _allNodes.Add(node);
        if (readyAt > now)
        {
            _readiness.Enqueue(node, readyAt);
        }

        _nodesAdded++;
        _peakNodes = Math.Max(_peakNodes, _nodes.Count);
        return node;
    }

    private bool Apply(IReadOnlyList<ScaleAction> actions, double now, double lead)
    {
        var capacityFreed = false;
        foreach (var action in actions)
        {
            if (action.NodeCount == 0)
            {
                continue;
            }

            _scaleActions++;
            switch (action.Kind)
            {
                case ScaleActionKind.Provision:
                    for (var i = 0; i < action.NodeCount; i++)
                    {
                        AddNode(now, now + lead);
                    }

                    break;
                case ScaleActionKind.Uncordon:
                    foreach (var node in Find(action.NodeIds))
                    {
                        node.Draining = false;
                        capacityFreed = true;
                    }

                    break;
                case ScaleActionKind.Drain:
                    foreach (var node in Find(action.NodeIds))
                    {
                        node.Draining = true;
                    }

                    break;
                case ScaleActionKind.Remove:
                    foreach (var node in Find(action.NodeIds))
                    {
                        if (node.UsedMilli > 0 || !node.IsReady(now))
                        {
                            // A policy asked to give back a node that still runs work: refused, and counted.
                            _refusedRemovals++;
                            continue;
                        }

                        node.RemovedAt = now;
                        _nodes.Remove(node);
                        _nodesRemoved++;
                    }

                    break;
                default:
                    throw new InvalidOperationException("Unknown action " + action.Kind);
            }
        }

        return capacityFreed;
    }

    private List<SimNode> Find(IEnumerable<string> ids)
    {
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        return _nodes.Where(n => wanted.Contains(n.Id)).ToList();
    }

    private void Schedule(double now)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var ready = _nodes.Where(n => n.IsReady(now) && !n.Draining && n.FreeMilli > 0).ToList();
        if (ready.Count == 0)
        {
            return;
        }

        var kept = 0;
        for (var i = 0; i < _pending.Count; i++)
        {
            var index = _pending[i];
            var need = Milli(requests[index].Gpus);
            SimNode? best = null;
            foreach (var node in ready)
            {
                if (node.FreeMilli >= need && (best is null || node.FreeMilli < best.FreeMilli))
                {
                    best = node;
                }
            }

            if (best is null)
            {
                _pending[kept++] = index;
                continue;
            }

            best.UsedMilli += need;
            _waits[index] = now - requests[index].ArrivalSeconds;
            _runningGpus += requests[index].Gpus;
            _pendingGpus -= requests[index].Gpus;
            _completions.Enqueue((index, best), now + requests[index].DurationSeconds);
        }

        _pending.RemoveRange(kept, _pending.Count - kept);
    }

    private void Record(double now, double requestedPeak)
    {
        var ready = 0;
        foreach (var node in _nodes)
        {
            if (node.IsReady(now) && !node.Draining)
            {
                ready++;
            }
        }

        var band = policy.LastForecast;
        Timeline.Add(new TimelinePoint(
            now,
            requestedPeak,
            ready * (double)options.GpusPerNode,
            _nodes.Count * (double)options.GpusPerNode,
            band?.Lower ?? double.NaN,
            band?.Expected ?? double.NaN,
            band?.Upper ?? double.NaN));
    }

    private ReplayResult Summarize(string traceName, double end, double elapsed)
    {
        var provisionedSeconds = _allNodes.Sum(n => (n.RemovedAt ?? end) - n.RequestedAt) * options.GpusPerNode;
        var usedSeconds = requests.Sum(r => r.Gpus * r.DurationSeconds);
        var slow = _waits.Count(w => w > options.SlowStart.TotalSeconds);
        var waits = _waits.Length == 0 ? [0.0] : _waits;
        return new ReplayResult(
            policy.Name,
            traceName,
            requests.Count,
            Round(end / 86_400, 2),
            options.NodeLeadTime.TotalMinutes,
            options.Interval.TotalSeconds,
            options.GpusPerNode,
            Round(provisionedSeconds / 3600, 1),
            Round(usedSeconds / 3600, 1),
            Round(provisionedSeconds <= 0 ? 0 : usedSeconds / provisionedSeconds, 4),
            slow,
            Round(requests.Count == 0 ? 0 : slow / (double)requests.Count, 4),
            Round(waits.Percentile(50), 1),
            Round(waits.Percentile(95), 1),
            Round(waits.Percentile(99), 1),
            Round(waits.Max(), 1),
            _scaleActions,
            _nodesAdded,
            _nodesRemoved,
            _peakNodes,
            _refusedRemovals,
            Round(elapsed, 2));
    }

    private static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);
}
