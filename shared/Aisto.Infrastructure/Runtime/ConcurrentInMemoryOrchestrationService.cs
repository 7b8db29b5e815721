using DurableTask.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Runtime;

/// <summary>
/// The in-memory backend with configurable concurrency: the package's service allows only as many work items at
/// once as there are cores, and its dispatcher then sleeps 500 ms per poll — fine for unit tests, a bottleneck for
/// a runtime. Re-implementing the two interface properties lifts that limit.
/// </summary>
public sealed class ConcurrentInMemoryOrchestrationService(ILoggerFactory loggerFactory, int maxOrchestrations, int maxActivities)
    : InMemoryOrchestrationService(loggerFactory), IOrchestrationService
{
    int IOrchestrationService.MaxConcurrentTaskOrchestrationWorkItems => maxOrchestrations;

    int IOrchestrationService.MaxConcurrentTaskActivityWorkItems => maxActivities;
}
