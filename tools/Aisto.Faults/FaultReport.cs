namespace Aisto.Faults;

/// <summary>What one kind's run did and found: the figures of the campaign table.</summary>
public sealed class FaultReport(string kind)
{
    private readonly List<string> violations = [];

    public string Kind { get; } = kind;

    public int Kills { get; set; }

    public int Restarts { get; set; }

    /// <summary>Azurite stopped and started again (while the app was down).</summary>
    public int StorageRestarts { get; set; }

    /// <summary>Azurite frozen for seconds while the app ran (a storage outage under traffic).</summary>
    public int StorageOutages { get; set; }

    /// <summary>The Hardhat node killed and started again while an epoch ran.</summary>
    public int ChainRestarts { get; set; }

    /// <summary>Leases, tasks or epochs the driver created.</summary>
    public int Items { get; set; }

    /// <summary>Of those, the ones driven through an injected region failure mid-provision.</summary>
    public int RegionFailures { get; set; }

    /// <summary>Scaling plans the autoscaler applied during the run (autoscale kind).</summary>
    public int ScalingActions { get; set; }

    public int Checks { get; private set; }

    public double Seconds { get; set; }

    public IReadOnlyList<string> Violations => violations;

    /// <summary>Counts one invariant check; records a violation when it does not hold.</summary>
    public void Check(bool holds, Func<string> violation)
    {
        Checks++;
        if (!holds)
        {
            lock (violations)
            {
                violations.Add(violation());
            }
        }
    }
}
