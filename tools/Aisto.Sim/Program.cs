using Aisto.Sim.Autoscale;

// One command per class; args[0] names it.
return args.FirstOrDefault() switch
{
    "autoscale" => AutoscaleCommand.Run(args[1..]),
    "gen-trace" => GenTraceCommand.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Aisto.Sim <command> [options]");
    Console.Error.WriteLine("  autoscale --trace TRACE.csv --policy predictive|reactive|static-peak|oracle [--json] [--plot FILE.svg] ...");
    Console.Error.WriteLine("  gen-trace --out TRACE.csv [--days 28] [--seed 1] [--peak-gpus 300]");
    return 2;
}
