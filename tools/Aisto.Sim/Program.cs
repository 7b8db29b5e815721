using System.CommandLine;
using Aisto.Sim.Autoscale;
using Aisto.Sim.Pack;
using Aisto.Sim.Quotes;

// One command class per file; adding a command is one line here.
return args.FirstOrDefault() switch
{
    "autoscale" => AutoscaleCommand.Run(args[1..]),
    "gen-trace" => GenTraceCommand.Run(args[1..]),
    "quote-replay" => QuoteReplayCommand.Run(args[1..]),
    _ => new RootCommand("AISTO simulator: replays traces against the domain code. Commands: pack, autoscale, gen-trace, quote-replay.")
    {
        PackCommand.Create(),
    }.Parse(args).Invoke(),
};
