using System.Globalization;
using System.Text.Json;
using Aisto.Domain.Scaling;

namespace Aisto.Sim.Autoscale;

/// <summary>
/// <c>autoscale --trace TRACE.csv --policy predictive|reactive|static-peak|oracle|all [--json] [--plot FILE.svg]</c>:
/// replays a demand trace against a simulated fleet under one policy and prints its figures.
/// </summary>
internal static class AutoscaleCommand
{
    public static readonly string[] Policies = ["predictive", "reactive", "static-peak", "oracle"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static int Run(string[] args)
    {
        CommandLine line;
        try
        {
            line = new CommandLine(args, new HashSet<string>(StringComparer.Ordinal) { "json", "quiet", "flat-band" });
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var tracePath = line.Text("trace");
        var policyName = line.Text("policy");
        if (tracePath is null || policyName is null || (policyName != "all" && !Policies.Contains(policyName)))
        {
            Console.Error.WriteLine("usage: autoscale --trace TRACE.csv --policy " + string.Join('|', Policies) + "|all [--json] [--plot FILE.svg] [--plot-days N] [--slow-starts FILE.csv]");
            Console.Error.WriteLine("  fleet:      [--lead-minutes 10] [--gpus-per-node 8] [--interval-seconds 60] [--gpu-model M]");
            Console.Error.WriteLine("  predictive: [--quantile 0.90] [--flat-band] [--headroom-gpus 0] [--headroom-fraction 0] [--hysteresis-gpus 4]");
            Console.Error.WriteLine("              [--idle-nodes 1] [--idle-nodes-from-busy 5]");
            Console.Error.WriteLine("              [--scale-in-cooldown-minutes 10] [--max-scale-in-step 2] [--max-scale-out-step 8] [--refit-minutes 60]");
            return 2;
        }

        var requests = TraceReader.ReadFile(tracePath);
        var model = line.Text("gpu-model");
        if (model is not null)
        {
            requests = requests.Where(r => r.GpuModel is null || r.GpuModel.Split('|').Contains(model)).ToList();
        }

        var options = new SimulationOptions
        {
            GpusPerNode = line.Integer("gpus-per-node", 8),
            NodeLeadTime = TimeSpan.FromMinutes(line.Number("lead-minutes", 10)),
            Interval = TimeSpan.FromSeconds(line.Number("interval-seconds", 60)),
        };
        var tooBig = requests.Count(r => r.Gpus > options.GpusPerNode);
        if (tooBig > 0)
        {
            Console.Error.WriteLine($"skipping {tooBig} requests larger than a node ({options.GpusPerNode} GPUs)");
            requests = requests.Where(r => r.Gpus <= options.GpusPerNode).ToList();
        }

        var curve = DemandCurve.From(requests);
        var names = policyName == "all" ? Policies : [policyName];
        foreach (var name in names)
        {
            var policy = Create(name, line, options, curve);
            var simulator = new FleetSimulator(requests, options, policy);
            var bar = line.Has("quiet") ? null : new ProgressBar($"autoscale {name,-11}", Console.Error);
            var result = simulator.Run(Path.GetFileName(tracePath), bar is null ? null : bar.Report);
            Console.WriteLine(line.Has("json") ? JsonSerializer.Serialize(result, Json) : Describe(result));
            var slowLog = line.Text("slow-starts");
            if (slowLog is not null)
            {
                // Every slow start with its arrival and wait, for finding out what caused them.
                var file = names.Length == 1 ? slowLog : Path.ChangeExtension(slowLog, null) + "-" + name + ".csv";
                File.WriteAllLines(file, simulator.Waits
                    .Select((wait, i) => (wait, request: requests[i]))
                    .Where(x => x.wait > options.SlowStart.TotalSeconds)
                    .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.request.ArrivalSeconds},{x.wait},{x.request.Gpus}"))
                    .Prepend("arrival_s,wait_s,gpus"));
            }

            var plot = line.Text("plot");
            if (plot is not null)
            {
                var file = names.Length == 1 ? plot : Path.ChangeExtension(plot, null) + "-" + name + ".svg";
                File.WriteAllText(file, SvgPlot.Render(simulator.Timeline, $"{name} on {result.Trace}", line.Number("plot-days", 0)));
                Console.Error.WriteLine($"plot written to {file}");
            }
        }

        return 0;
    }

    /// <summary>The scaling policy of the predictive replay: the runtime's defaults unless the command line says otherwise.</summary>
    internal static ScalingPolicy ScalingPolicyFrom(CommandLine line, SimulationOptions options)
    {
        var defaults = new ScalingPolicy();
        return defaults with
        {
            GpusPerNode = options.GpusPerNode,
            NodeLeadTime = options.NodeLeadTime,
            PlanInterval = options.Interval,
            MaxNodes = line.Integer("max-nodes", 100_000),
            MaxScaleOutStep = line.Integer("max-scale-out-step", defaults.MaxScaleOutStep),
            MaxScaleInStep = line.Integer("max-scale-in-step", defaults.MaxScaleInStep),
            ScaleInCooldown = TimeSpan.FromMinutes(line.Number("scale-in-cooldown-minutes", defaults.ScaleInCooldown.TotalMinutes)),
            HeadroomGpus = line.Number("headroom-gpus", defaults.HeadroomGpus),
            IdleNodeReserve = line.Integer("idle-nodes", defaults.IdleNodeReserve),
            IdleNodeReserveFromBusyNodes = line.Integer("idle-nodes-from-busy", defaults.IdleNodeReserveFromBusyNodes),
            HeadroomFraction = line.Number("headroom-fraction", defaults.HeadroomFraction),
            ScaleInHysteresisGpus = line.Number("hysteresis-gpus", defaults.ScaleInHysteresisGpus),
        };
    }

    private static IAutoscalePolicy Create(string name, CommandLine line, SimulationOptions options, DemandCurve curve)
    {
        var initial = (int)Math.Ceiling(curve.PeakBetween(0, options.NodeLeadTime.TotalSeconds) / options.GpusPerNode);
        var scaling = ScalingPolicyFrom(line, options);
        return name switch
        {
            "predictive" => new PredictivePolicy(
                new DemandForecaster(new ForecastOptions { UpperQuantile = line.Number("quantile", new ForecastOptions().UpperQuantile), ScaleBandWithLevel = !line.Has("flat-band") }),
                new ScalePlanner(scaling),
                TimeSpan.FromMinutes(line.Number("refit-minutes", 60)),
                initial),
            "reactive" => new ReactivePolicy(options.GpusPerNode, initial),
            "static-peak" => new StaticPeakPolicy((int)Math.Ceiling(curve.Peak / options.GpusPerNode)),
            "oracle" => new OraclePolicy(curve, new ScalePlanner(OraclePolicy.PolicyFor(scaling)), initial),
            _ => throw new ArgumentException("Unknown policy " + name),
        };
    }

    private static string Describe(ReplayResult r) => string.Create(
        CultureInfo.InvariantCulture,
        $"{r.Policy,-11} provisioned {r.GpuHoursProvisioned,10:F1} GPU-h  used {r.GpuHoursUsed,10:F1} GPU-h  slow starts {r.SlowStarts,6}/{r.Requests}  wait p50 {r.WaitP50Seconds,6:F0}s p95 {r.WaitP95Seconds,6:F0}s  actions {r.ScaleActions}");
}
