using System.Globalization;
using Aisto.Faults;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Functions.Tests;

/// <summary>
/// The fast subset of the fault campaign (tools/Aisto.Faults, docs/reliability.md): lease work while the app is
/// killed with SIGKILL twice and storage goes away, then every invariant checked. The full campaign is
/// <c>dotnet run -c Release --project tools/Aisto.Faults -- --kind all --kills 20</c>.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class FaultCampaignTests
{
    [Fact]
    public async Task Leases_driven_through_two_kill_minus_9s_and_a_storage_outage_lose_nothing_and_book_nothing_twice()
    {
        // Arrange: AISTO_FAULTS_SEED replays a failed run's kill points.
        var seed = int.Parse(Environment.GetEnvironmentVariable("AISTO_FAULTS_SEED") ?? "1", CultureInfo.InvariantCulture);
        var settings = new FaultSettings(["lease"], Kills: 2, seed, Json: false, Verbose: false);

        // Act
        var report = await FaultCampaign.RunAsync("lease", settings, NullLoggerFactory.Instance);

        // Assert
        Assert.Equal(2, report.Kills);
        Assert.Equal(2, report.Restarts);
        Assert.True(report.Items >= 6, $"only {report.Items} leases were driven");
        Assert.True(report.Checks > report.Items, $"only {report.Checks} checks for {report.Items} leases");
        Assert.Empty(report.Violations);
    }
}
