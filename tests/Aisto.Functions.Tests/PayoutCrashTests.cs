using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using Aisto.Domain.Ledger;
using Aisto.Domain.Payouts;
using Aisto.Infrastructure.Chain;
using Aisto.Infrastructure.Ledger;
using Aisto.Infrastructure.Runtime;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Payouts;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Tests;

/// <summary>kill -9 between the mined publish transaction and the stored report: the epoch completes after restart, once.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class PayoutCrashTests(TestChain testChain)
{
    [Fact]
    public async Task An_epoch_killed_after_its_publish_was_mined_completes_after_restart_published_once_and_paid_once()
    {
        // Arrange: two holders 3:1, and yesterday's revenue written through the real metering activity.
        await StorageEmulator.EnsureAsync();
        var chain = await testChain.DeployAsync();
        var alice = TestDeployment.AddressOf(HardhatDevAccounts.Account1Key);
        var bob = TestDeployment.AddressOf(HardhatDevAccounts.Account2Key);
        await chain.Operator.MintRewardAsync(alice, 3_000);
        await chain.FundGasAsync(alice);
        await chain.FundGasAsync(bob);
        await chain.Operator.MintRewardAsync(bob, 1_000);

        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        var port = ChildProcess.FreePort();
        var settings = AppHarness.DefaultSettings(prefix, port);
        foreach (var (key, value) in chain.Settings)
        {
            settings[key] = value;
        }

        // The activity message held by the killed process comes back after 30 s instead of 60 s. (Shorter, and on a
        // loaded machine a slow episode outlives its own message's visibility and is delivered again and again.)
        settings["Aisto:Durable:WorkItemVisibilityTimeout"] = "00:00:30";
        var calendar = new EpochCalendar(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture), TimeSpan.FromDays(1));
        var epoch = calendar.EpochOf(DateTimeOffset.UtcNow) - 1;
        var ledger = new TableLedgerStore(new AistoTables(Options.Create(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true", TablePrefix = prefix })));
        var from = calendar.StartOf(epoch) + TimeSpan.FromHours(1);
        var revenue = (await new LeaseMeter(ledger, calendar).ChargeToEndAsync(
            new MeterLeaseInput("lse_crashtest", "tenant-a", 2.99m, from, from + TimeSpan.FromHours(2), 0m), CancellationToken.None)).Charged;
        var payoutBefore = await chain.PayoutBalanceAsync(chain.Connection.Contracts.Distributor);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new("Bearer", AppHarness.Operator);

        // Act 1: the first process hangs right after the publish transaction is mined; then kill -9.
        var first = await CrashRecoveryTests.StartAppProcessAsync(
            settings, client, new Dictionary<string, string> { [PayoutFaultPoints.Variable] = PayoutFaultPoints.HangAfterPublish });
        string statusAtKill;
        try
        {
            var started = await client.PostAsJsonAsync("/api/payouts/epochs", new { epoch });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, started.StatusCode);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (await chain.Operator.FindPublishedEpochAsync(epoch) is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "The epoch was not published within 3 minutes.");
                await Task.Delay(200);
            }

            // The activity records Published, then reaches its fault point and hangs there.
            do
            {
                await Task.Delay(200);
                statusAtKill = (await (await client.GetAsync($"/api/payouts/epochs/{epoch}")).JsonAsync()).GetProperty("status").GetString()!;
            }
            while (statusAtKill != "Published" && DateTime.UtcNow < deadline);
        }
        finally
        {
            first.Kill(entireProcessTree: false);
            await first.WaitForExitAsync();
            first.Dispose();
        }

        // Act 2: restart without the fault; the held activity comes back, finds the epoch on chain and completes.
        using var second = await CrashRecoveryTests.StartAppProcessAsync(settings, client);
        try
        {
            var report = await PayoutEndToEndTests.WaitForEpochAsync(client, epoch, "Completed");
            var restart = await (await client.PostAsJsonAsync("/api/payouts/epochs", new { epoch })).JsonAsync();

            // Assert: the report was missing at the kill; afterwards the root is on chain once and funded once.
            Assert.Equal("Published", statusAtKill);
            Assert.Equal(1, await chain.CountPublishedEventsAsync(epoch));
            var published = await chain.Operator.FindPublishedEpochAsync(epoch);
            Assert.Equal(published!.MerkleRoot, report.GetProperty("merkleRoot").GetString());
            Assert.Equal(published.Transaction.TransactionHash, report.GetProperty("publishTxHash").GetString());
            var pool = BigInteger.Parse(report.GetProperty("dividendPool").GetString()!, CultureInfo.InvariantCulture);
            Assert.Equal(new BigInteger(decimal.Truncate(revenue * 1_000_000m)), pool);
            Assert.Equal(payoutBefore + pool, await chain.PayoutBalanceAsync(chain.Connection.Contracts.Distributor));
            Assert.False(restart.GetProperty("started").GetBoolean());

            // Nothing is paid twice: a claim pays once, the second reverts.
            var claim = await (await client.GetAsync($"/api/payouts/epochs/{epoch}/claims/{alice}")).JsonAsync();
            var allocation = new DividendAllocation(alice, BigInteger.Parse(claim.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture));
            var index = claim.GetProperty("index").GetInt32();
            var proof = claim.GetProperty("proof").EnumerateArray().Select(p => p.GetString()!).ToList();
            var holder = TestChain.Gateway(chain.Connection, HardhatDevAccounts.Account1Key);
            await holder.ClaimAsync(epoch, index, allocation, proof);
            var twice = await Assert.ThrowsAsync<ContractRevertedException>(() => holder.ClaimAsync(epoch, index, allocation, proof));
            Assert.Equal("AlreadyClaimed", twice.ErrorName);
            Assert.Equal(pool * 3 / 4, allocation.Amount);
        }
        finally
        {
            second.Kill(entireProcessTree: false);
            await second.WaitForExitAsync();
        }
    }
}
