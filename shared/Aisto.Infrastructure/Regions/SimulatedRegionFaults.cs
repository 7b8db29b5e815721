using System.Collections.Concurrent;
using Aisto.Orchestrations.Regions;

namespace Aisto.Infrastructure.Regions;

/// <summary>Failures tests switch on in simulated regions: provisioning failures and unreachable regions.</summary>
public sealed class SimulatedRegionFaults
{
    private readonly ConcurrentDictionary<string, int> failNextProvisions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> unreachable = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="count"/> workloads provisioned in the region fail.</summary>
    public void FailNextProvisions(string region, int count) => failNextProvisions[region] = count;

    /// <summary>Every call to the region throws until <see cref="Restore"/>.</summary>
    public void MakeUnreachable(string region) => unreachable[region] = true;

    public void Restore(string region)
    {
        unreachable.TryRemove(region, out _);
        failNextProvisions.TryRemove(region, out _);
    }

    internal string? ProvisionFailureFor(string region, WorkloadSpec spec)
    {
        while (failNextProvisions.TryGetValue(region, out var left) && left > 0)
        {
            if (failNextProvisions.TryUpdate(region, left - 1, left))
            {
                return $"injected provisioning failure for {spec.LeaseId}";
            }
        }

        return null;
    }

    internal void ThrowIfUnreachable(string region)
    {
        if (unreachable.ContainsKey(region))
        {
            throw new HttpRequestException($"Region {region} is unreachable (injected).");
        }
    }
}
