using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Aisto.Domain.Scheduling.Packing;
using Aisto.Sim.Trace;
using Spectre.Console;

namespace Aisto.Sim.Pack;

/// <summary>
/// <c>pack</c>: the workload-inflation packing experiment on an openb trace for one or more placement policies
/// and seeds; one JSON object on stdout (with --json), a progress bar on stderr, optionally an SVG of the curves.
/// </summary>
public static class PackCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var nodes = new Option<FileInfo>("--nodes") { Description = "Node list CSV (openb: sn,cpu_milli,memory_mib,gpu,model).", Required = true };
        var pods = new Option<FileInfo>("--pods") { Description = "Pod list CSV (openb; gpu_milli and gpu_spec optional).", Required = true };
        var policy = new Option<string>("--policy")
        {
            Description = $"Policy, comma list or 'all' ({string.Join(", ", PackingPolicies.Names)}).",
            DefaultValueFactory = _ => PackingPolicies.Default,
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the pod sampling (and of random-fit).", DefaultValueFactory = _ => 1 };
        var seeds = new Option<int>("--seeds") { Description = "Run this many seeds (seed, seed+1, …) and report means.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var plot = new Option<FileInfo?>("--plot") { Description = "Write the allocation curves of the policies run to this SVG file." };

        var command = new Command("pack", "Workload-inflation packing experiment (Weng et al., ATC '23) on an openb trace.")
        {
            nodes, pods, policy, seed, seeds, json, plot,
        };
        command.SetAction(parse => Run(
            parse.GetValue(nodes)!,
            parse.GetValue(pods)!,
            parse.GetValue(policy) ?? PackingPolicies.Default,
            parse.GetValue(seed),
            Math.Max(1, parse.GetValue(seeds)),
            parse.GetValue(json),
            parse.GetValue(plot)));
        return command;
    }

    private static int Run(FileInfo nodesFile, FileInfo podsFile, string policyArg, int seed, int seedCount, bool json, FileInfo? plot)
    {
        var policies = policyArg.Equals("all", StringComparison.OrdinalIgnoreCase)
            ? PackingPolicies.Names
            : policyArg.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = policies.Where(p => !PackingPolicies.Names.Contains(p, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"Unknown policy: {string.Join(", ", unknown)}. Known: {string.Join(", ", PackingPolicies.Names)}, all.");
            return 2;
        }

        IReadOnlyList<PackingNodeSpec> nodes;
        IReadOnlyList<TracePod> pods;
        using (var reader = nodesFile.OpenText())
        {
            nodes = OpenbTraceReader.ReadNodes(reader);
        }

        using (var reader = podsFile.OpenText())
        {
            pods = OpenbTraceReader.ReadPods(reader);
        }

        var runs = new List<PackResult>();
        var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        stderr.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                foreach (var name in policies)
                {
                    for (var s = seed; s < seed + seedCount; s++)
                    {
                        var task = ctx.AddTask($"{name} seed {s}", maxValue: 1.0);
                        runs.Add(InflationExperiment.Run(nodes, pods, name, s, p => task.Value = p));
                        task.Value = 1.0;
                    }
                }
            });

        var summaries = runs.GroupBy(r => r.Policy).Select(g => InflationExperiment.Summarize([.. g])).ToList();
        if (plot is not null)
        {
            AllocationCurvePlot.Write(plot.FullName, summaries);
        }

        if (json)
        {
            object output = runs.Count == 1 ? runs[0] : new { runs, summary = summaries };
            Console.Out.WriteLine(JsonSerializer.Serialize(output, Json));
        }
        else
        {
            Console.Out.WriteLine("| policy | unallocated GPUs | unallocated share | failed pods | decisions/s |");
            Console.Out.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var s in summaries)
            {
                Console.Out.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {s.Policy} | {s.UnallocatedGpus:F1} | {s.UnallocatedGpuShare:P2} | {s.FailedPods:F1} | {s.DecisionsPerSecond:N0} |"));
            }
        }

        return 0;
    }
}
