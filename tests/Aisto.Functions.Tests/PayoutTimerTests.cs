using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using Aisto.Domain.Ledger;
using Aisto.Infrastructure.Chain;
using Aisto.Infrastructure.Ledger;
using Aisto.Infrastructure.Storage;
using Aisto.Orchestrations.Leases;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Tests;

/// <summary>The payout timer starts settled epochs by itself; an excluded holder's share is carried into the next epoch.</summary>
[Collection(StandaloneCollection.Name)]
public sealed class PayoutTimerTests(TestChain testChain)
{
    private const string Outsider = "0x00000000000000000000000000000000c0ffee02";

    [Fact]
    public async Task The_timer_pays_the_settled_epoch_and_its_roll_over_is_carried_into_the_next_epoch()
    {
        // Arrange: epochs of a day; epoch 0 ended 25 h ago (settled), epoch 1 one hour ago (not settled: delay 2 h).
        await StorageEmulator.EnsureAsync();
        var chain = await testChain.DeployAsync();
        var alice = TestDeployment.AddressOf(HardhatDevAccounts.Account1Key);
        await chain.Operator.MintRewardAsync(alice, 3);
        await chain.Operator.MintRewardAsync(Outsider, 1);
        var calendar = new EpochCalendar(
            DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()) - TimeSpan.FromDays(2) - TimeSpan.FromHours(1),
            TimeSpan.FromDays(1));
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        var ledger = new TableLedgerStore(new AistoTables(Options.Create(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true", TablePrefix = prefix })));
        var revenue = (await new LeaseMeter(ledger, calendar).ChargeToEndAsync(
            new MeterLeaseInput("lse_timertest", "tenant-a", 2.99m, calendar.StartOf(0), calendar.StartOf(0) + TimeSpan.FromHours(1), 0m), CancellationToken.None)).Charged;
        var settings = new Dictionary<string, string?>(chain.Settings)
        {
            ["Aisto:Ledger:EpochOrigin"] = calendar.Origin.ToString("O", CultureInfo.InvariantCulture),
            ["Aisto:Ledger:EpochLength"] = "1.00:00:00",
            ["Aisto:Payouts:Schedule"] = "*/2 * * * * *",
            ["Aisto:Payouts:SettlementDelay"] = "02:00:00",
            ["Aisto:Payouts:CatchUpEpochs"] = "1",
            ["Aisto:Payouts:Allowlist"] = alice,
        };

        // Act: the timer alone starts epoch 0; then the operator runs epoch 1.
        await using var app = await AppHarness.StartAsync(settings, prefix);
        using var anonymous = app.Client(apiKey: null);
        using var operatorClient = app.Client(AppHarness.Operator);
        var first = await PayoutEndToEndTests.WaitForEpochAsync(anonymous, 0, "Completed");
        var unsettled = await anonymous.GetAsync("/api/payouts/epochs/1");
        var start = await operatorClient.PostAsJsonAsync("/api/payouts/epochs", new { epoch = 1 });
        var second = await PayoutEndToEndTests.WaitForEpochAsync(anonymous, 1, "Completed");

        // Assert: epoch 0 paid Alice 3/4 of the revenue and rolled the outsider's 1/4 over; epoch 1 carried it in.
        var pool0 = Units(first, "dividendPool");
        Assert.Equal(new BigInteger(decimal.Truncate(revenue * 1_000_000m)), pool0);
        Assert.Equal(pool0 / 4, Units(first, "rolledOver"));
        Assert.Equal(HttpStatusCode.NotFound, unsettled.StatusCode);
        Assert.True((await start.JsonAsync()).GetProperty("started").GetBoolean());
        Assert.Equal("0.000000", second.GetProperty("revenue").GetString());
        Assert.Equal(Units(first, "rolledOver"), Units(second, "carriedOver"));
        Assert.Equal(Units(second, "carriedOver"), Units(second, "dividendPool"));
        Assert.Equal(Units(second, "dividendPool"), Units(second, "paid") + Units(second, "rolledOver"));
        Assert.Equal(2, await chain.CountPublishedEventsAsync(0) + await chain.CountPublishedEventsAsync(1));
    }

    private static BigInteger Units(System.Text.Json.JsonElement report, string field) =>
        BigInteger.Parse(report.GetProperty(field).GetString()!, CultureInfo.InvariantCulture);
}
