using Aisto.Domain.Leases;
using Aisto.Domain.Scheduling;
using Aisto.Orchestrations.Leases;
using Microsoft.Extensions.DependencyInjection;

namespace Aisto.Functions.Tests;

/// <summary>The reconcile timer (run by the standalone runtime's timer service) rescues leases lost to a crash.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class LeaseReconcileTests : IAsyncLifetime
{
    private AppHarness app = null!;

    public async Task InitializeAsync() => app = await AppHarness.StartAsync(new Dictionary<string, string?>
    {
        ["Aisto:Leases:ReconcileSchedule"] = "*/2 * * * * *",
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_queued_lease_stored_without_a_lifecycle_is_started_by_the_timer()
    {
        // Arrange: what a crash between storing a lease and starting its orchestration leaves behind.
        var store = app.App.Services.GetRequiredService<ILeaseStore>();
        var request = new LeaseRequest("A100", GpuDemand.Whole(1), 4, 16, 1m, LeaseClass.OnDemand, LeasePool.Leasing,
            LeasePurpose.Training, "malaysia", null, null, PreemptionAction.End, null);
        var orphan = new LeaseRecord("lse_0rphan" + Guid.NewGuid().ToString("N")[..14], "tenant-a", LeaseStatus.Queued, request, "fp",
            null, DateTimeOffset.UtcNow.AddMinutes(-2), null, null, null, 1.611m, 0m, null);
        Assert.True(await store.TryCreateAsync(orphan));
        using var client = app.Client();

        // Act + Assert: the timer notices it and the lease runs like any other.
        var active = await client.WaitForLeaseAsync(orphan.LeaseId, l => l.Status() == "Active", TimeSpan.FromSeconds(30));
        Assert.Equal("malaysia", active.GetProperty("placement").GetProperty("region").GetString());
        await client.DeleteAsync($"/api/leases/{orphan.LeaseId}");
        await client.WaitForLeaseAsync(orphan.LeaseId, l => l.Status() == "Released");
    }
}
