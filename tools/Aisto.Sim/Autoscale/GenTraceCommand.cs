using System.Globalization;

namespace Aisto.Sim.Autoscale;

/// <summary>
/// <c>gen-trace --out TRACE.csv [--days 28] [--seed 1] [--peak-gpus 300] [--weekly-growth 0.03]</c>: writes a
/// deterministic synthetic diurnal + weekly trace in the generic format (arrival_s,duration_s,gpus).
/// </summary>
internal static class GenTraceCommand
{
    public static int Run(string[] args)
    {
        var line = new CommandLine(args, new HashSet<string>(StringComparer.Ordinal));
        var output = line.Text("out");
        if (output is null)
        {
            Console.Error.WriteLine("usage: gen-trace --out TRACE.csv [--days 28] [--seed 1] [--peak-gpus 300] [--weekly-growth 0.03]");
            return 2;
        }

        var requests = SyntheticTrace.Generate(
            line.Integer("seed", 1),
            line.Number("days", 28),
            line.Number("peak-gpus", 300),
            line.Number("weekly-growth", 0.03));
        using var writer = new StreamWriter(output);
        writer.WriteLine("arrival_s,duration_s,gpus");
        foreach (var r in requests)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.ArrivalSeconds:F1},{r.DurationSeconds:F1},{r.Gpus}"));
        }

        Console.Error.WriteLine($"wrote {requests.Count} requests to {output}");
        return 0;
    }
}
