using System.Diagnostics;
using Aisto.Benchmarks.Scheduling;
using BenchmarkDotNet.Running;

// Pin to one core: the targets are per core.
if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
{
    Process.GetCurrentProcess().ProcessorAffinity = 1;
}

if (args is ["p99", .. var rest])
{
    foreach (var policy in rest.Length > 0 ? rest : ["aisto"])
    {
        PlacementLatencyProbe.Run(policy);
    }

    PlacementLatencyProbe.RunPort();
    PlacementLatencyProbe.RunCycle();

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PlacementBenchmarks).Assembly).Run(args);
