using Aisto.Bench;

return args.FirstOrDefault() switch
{
    "lifecycles" => await LifecycleBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Aisto.Bench lifecycles [--engine memory|azure] [--count N] [--json]");
    return 2;
}
