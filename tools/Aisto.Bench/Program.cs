using Aisto.Bench;

return args.FirstOrDefault() switch
{
    "lifecycles" => await LifecycleBenchmark.RunAsync(args[1..]),
    "depin-intake" => await DepinIntakeBenchmark.RunAsync(args[1..]),
    "engine-floor" => await EngineFloorBenchmark.RunAsync(args[1..]),
    "storage-floor" => await StorageFloorBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Aisto.Bench lifecycles [--engine memory|azure] [--count N [--clients K] | --rate R --seconds T] [--warmup N]");
    Console.Error.WriteLine("       Aisto.Bench depin-intake [--engine azure|memory] [--count N] [--senders N] [--prefill [--warmup N]]");
    Console.Error.WriteLine("       Aisto.Bench engine-floor [--worker sidecar|core] [--count N] [--warmup N]");
    Console.Error.WriteLine("       Aisto.Bench storage-floor [--entities N] [--concurrency N]");
    return 2;
}
