namespace Aisto.Faults;

/// <summary>The command line: which kinds, how many kills each, the seed of the kill points.</summary>
public sealed record FaultSettings(IReadOnlyList<string> Kinds, int Kills, int Seed, bool Json, bool Verbose)
{
    public static readonly IReadOnlyList<string> AllKinds = ["lease", "depin", "autoscale", "payout"];

    public static FaultSettings? Parse(IReadOnlyList<string> args)
    {
        string? Option(string name)
        {
            for (var i = 0; i < args.Count - 1; i++)
            {
                if (args[i] == name)
                {
                    return args[i + 1];
                }
            }

            return null;
        }

        var kind = Option("--kind") ?? "all";
        IReadOnlyList<string> kinds = kind == "all" ? AllKinds : [.. kind.Split(',')];
        if (kinds.Any(k => !AllKinds.Contains(k))
            || !int.TryParse(Option("--kills") ?? "20", System.Globalization.CultureInfo.InvariantCulture, out var kills) || kills < 0
            || !int.TryParse(Option("--seed") ?? "1", System.Globalization.CultureInfo.InvariantCulture, out var seed))
        {
            return null;
        }

        return new FaultSettings(kinds, kills, seed, args.Contains("--json"), args.Contains("--verbose"));
    }
}
