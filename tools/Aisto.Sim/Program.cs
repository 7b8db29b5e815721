using System.CommandLine;
using Aisto.Sim.Pack;

// One command class per file; add a command with one line.
var root = new RootCommand("AISTO simulator: replays traces against the scheduler's domain code.")
{
    PackCommand.Create(),
};
return root.Parse(args).Invoke();
