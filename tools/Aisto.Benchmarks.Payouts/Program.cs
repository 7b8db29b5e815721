using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Aisto.Benchmarks.Payouts.DividendEpochBenchmarks).Assembly).Run(args);
