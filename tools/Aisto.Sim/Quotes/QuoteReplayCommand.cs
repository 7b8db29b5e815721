using System.Text.Json;
using Aisto.Domain.Scheduling.Quoting;
using Aisto.Sim.Autoscale;

namespace Aisto.Sim.Quotes;

/// <summary>
/// <c>quote-replay [--seed 1] [--seeds 1] [--requests 5000] [--nodes 8] [--gpus-per-node 8] [--load 0.9]
/// [--mean-hours 1] [--early-release 0] [--waited-at-least 60] [--model node-replay|fifo-drain|release-cover|all]</c>: replays a seeded request stream against a
/// simulated cluster and prints, as JSON, how close the quoted waits came to the observed ones.
/// </summary>
internal static class QuoteReplayCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static int Run(string[] args)
    {
        CommandLine line;
        try
        {
            line = new CommandLine(args, new HashSet<string>(StringComparer.Ordinal) { "quiet" });
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: quote-replay [--seed 1] [--seeds 1] [--requests 5000] [--nodes 8] [--gpus-per-node 8] [--load 0.9] [--mean-hours 1] [--early-release 0] [--waited-at-least 60] [--model node-replay|fifo-drain|release-cover|all] [--quiet]");
            return 2;
        }

        var modelName = line.Text("model") ?? "node-replay";
        WaitModel[] models = modelName switch
        {
            "node-replay" => [WaitModel.NodeReplay],
            "fifo-drain" => [WaitModel.FifoDrain],
            "release-cover" => [WaitModel.ReleaseCover],
            "all" => [WaitModel.NodeReplay, WaitModel.FifoDrain, WaitModel.ReleaseCover],
            _ => [],
        };
        if (models.Length == 0)
        {
            Console.Error.WriteLine("--model must be node-replay, fifo-drain, release-cover or all.");
            return 2;
        }

        var first = line.Integer("seed", 1);
        var runs = new List<QuoteAccuracy>();
        foreach (var model in models)
        {
            for (var seed = first; seed < first + line.Integer("seeds", 1); seed++)
            {
                var options = new QuoteReplayOptions(
                    seed,
                    line.Integer("requests", 5_000),
                    line.Integer("nodes", 8),
                    line.Integer("gpus-per-node", 8),
                    line.Number("load", 0.9),
                    line.Number("mean-hours", 1.0),
                    line.Number("early-release", 0.0),
                    line.Number("waited-at-least", 60),
                    model);
                var bar = line.Has("quiet") ? null : new ProgressBar($"quote-replay seed {seed}", Console.Error);
                runs.Add(QuoteAccuracy.From(Name(model), seed, QuoteReplay.Run(options, bar is null ? null : bar.Report), options.WaitedAtLeastSeconds));
            }
        }

        Console.WriteLine(JsonSerializer.Serialize(new { runs, summary = runs.GroupBy(r => r.Model).Select(Summary) }, Json));
        return 0;
    }

    private static string Name(WaitModel model) => model switch
    {
        WaitModel.NodeReplay => "node-replay",
        WaitModel.FifoDrain => "fifo-drain",
        _ => "release-cover",
    };

    private static object Summary(IEnumerable<QuoteAccuracy> runs)
    {
        var list = runs.ToList();
        var waited = list.Sum(r => r.Waited);
        var within = list.Sum(r => r.WaitedWithin2x);
        return new
        {
            model = list[0].Model,
            requests = list.Sum(r => r.Requests),
            waited,
            waitedWithin2x = within,
            waitedWithin2xShare = waited == 0 ? 1 : Math.Round(within / (double)waited, 4),
            meanOfMedianRatios = Math.Round(list.Average(r => r.MedianRatio), 3),
            unquoted = list.Sum(r => r.Unquoted),
            notWaitedRightShare = Math.Round(list.Sum(r => r.NotWaitedQuotedUnderThreshold) / (double)Math.Max(1, list.Sum(r => r.NotWaited)), 4),
        };
    }
}
