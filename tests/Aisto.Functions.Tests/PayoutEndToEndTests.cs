using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Aisto.Domain.Payouts;
using Aisto.Domain.Pricing;
using Aisto.Infrastructure.Chain;

namespace Aisto.Functions.Tests;

/// <summary>
/// Dividends end to end on the standalone runtime and the Hardhat chain: a real lease earns revenue, its epoch runs,
/// the report is served, and holders claim on chain with the proofs the API hands out.
/// </summary>
[Collection(StandaloneCollection.Name)]
public sealed class PayoutEndToEndTests(TestChain testChain, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Outsider = "0x00000000000000000000000000000000c0ffee01";

    [Fact]
    public async Task A_leases_revenue_is_paid_to_allowlisted_holders_who_claim_exactly_their_amounts_on_chain()
    {
        // Arrange: a chain with three AISTO holders 6:3:1, the third off the allowlist.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var chain = await testChain.DeployAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: deployed");
        var alice = TestDeployment.AddressOf(HardhatDevAccounts.Account1Key);
        var bob = TestDeployment.AddressOf(HardhatDevAccounts.Account2Key);
        await chain.Operator.MintRewardAsync(alice, 600);
        await chain.FundGasAsync(alice);
        await chain.FundGasAsync(bob);
        await chain.Operator.MintRewardAsync(bob, 300);
        await chain.Operator.MintRewardAsync(Outsider, 100);

        // 20-second epochs from now: a real lease runs, and its first epoch is paid out once it has ended.
        var length = TimeSpan.FromSeconds(20);
        var origin = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var settings = new Dictionary<string, string?>(chain.Settings)
        {
            ["Aisto:Ledger:EpochOrigin"] = origin.ToString("O", CultureInfo.InvariantCulture),
            ["Aisto:Ledger:EpochLength"] = length.ToString("c", CultureInfo.InvariantCulture),
            ["Aisto:Payouts:Allowlist"] = $"{alice},{bob}",
        };
        await using var app = await AppHarness.StartAsync(settings);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: app started");
        using var tenant = app.Client(AppHarness.TenantA);
        using var operatorClient = app.Client(AppHarness.Operator);
        using var anonymous = app.Client(apiKey: null);
        var early = await operatorClient.PostAsJsonAsync("/api/payouts/epochs", new { epoch = 1_000 });

        var created = await tenant.PostAsJsonAsync("/api/leases", new { gpuModel = "H100", gpuCount = 2, durationHours = 1, region = "us-east" });
        var leaseId = (await created.JsonAsync()).GetProperty("leaseId").GetString()!;
        await tenant.WaitForLeaseAsync(leaseId, l => l.Status() == "Active", TimeSpan.FromMinutes(4));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await tenant.DeleteAsync($"/api/leases/{leaseId}");
        var released = await tenant.WaitForLeaseAsync(leaseId, l => l.Status() == "Released", TimeSpan.FromMinutes(4));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: lease released");

        // Metering splits charges at epoch ends: the epoch the lease became active in earns up to its end.
        var activeAt = released.GetProperty("activeAt").GetDateTimeOffset();
        var endedAt = released.GetProperty("endedAt").GetDateTimeOffset();
        var epoch = (activeAt - origin).Ticks / length.Ticks;
        var epochEnd = origin + length * (epoch + 1);
        var revenue = Metering.Charge(
            decimal.Parse(released.GetProperty("pricePerHour").GetString()!, CultureInfo.InvariantCulture),
            activeAt,
            endedAt < epochEnd ? endedAt : epochEnd);

        // Act: once the epoch has ended, the operator runs it (twice: the second start must not run it again).
        var wait = epochEnd - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var start = await operatorClient.PostAsJsonAsync("/api/payouts/epochs", new { epoch });
        var again = await operatorClient.PostAsJsonAsync("/api/payouts/epochs", new { epoch });
        var report = await WaitForEpochAsync(anonymous, epoch, "Completed");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: epoch completed");

        // Assert: an epoch that has not ended cannot be run; the start answers 202 with the status URL, and only the first start started anything.
        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        Assert.True((await early.JsonAsync()).GetProperty("errors").TryGetProperty("epoch", out _));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal($"/api/payouts/epochs/{epoch}", start.Headers.Location?.ToString());
        Assert.True((await start.JsonAsync()).GetProperty("started").GetBoolean());
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.False((await again.JsonAsync()).GetProperty("started").GetBoolean());

        // The report: books, pool, snapshot, and allocations from which anyone recomputes the root.
        var pool = BigInteger.Parse(report.GetProperty("dividendPool").GetString()!, CultureInfo.InvariantCulture);
        var allocations = report.GetProperty("allocations").EnumerateArray()
            .Select(a => new DividendAllocation(a.GetProperty("account").GetString()!, BigInteger.Parse(a.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
        // Costs: the lease's 2 H100 GPU-seconds at the configured us-east rate (1.85 USD per GPU-hour by default).
        var costs = report.GetProperty("costs");
        var infrastructure = decimal.Parse(costs.GetProperty("infrastructure").GetString()!, CultureInfo.InvariantCulture);
        var gpuHours = decimal.Parse(costs.GetProperty("meteredGpuHours").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(LeaseMoney(revenue), report.GetProperty("revenue").GetString());
        Assert.InRange(infrastructure, (gpuHours * 1.85m) - 0.00001m, (gpuHours * 1.85m) + 0.00001m);
        Assert.True(gpuHours > 0, costs.ToString());
        Assert.Equal(0, costs.GetProperty("uncostedLines").GetInt32());
        Assert.Equal(LeaseMoney(revenue - infrastructure), report.GetProperty("profit").GetString());
        Assert.Equal(new BigInteger(decimal.Truncate((revenue - infrastructure) * 1_000_000m)), pool);
        Assert.Equal(3, report.GetProperty("holderCount").GetInt32());
        Assert.Equal(1, report.GetProperty("excludedHolders").GetInt32());
        Assert.Equal(new[] { alice, bob }.Order(StringComparer.Ordinal), allocations.Select(a => a.Account));
        Assert.Equal(pool, allocations.Aggregate(BigInteger.Zero, (s, a) => s + a.Amount) + BigInteger.Parse(report.GetProperty("rolledOver").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(MerkleTree.Build(allocations).Root, report.GetProperty("merkleRoot").GetString());
        Assert.Equal(1, await chain.CountPublishedEventsAsync(epoch));

        // Each holder claims on chain, signing itself, with the proof the API serves; balances rise by exactly the amount.
        foreach (var (account, key) in new[] { (alice, HardhatDevAccounts.Account1Key), (bob, HardhatDevAccounts.Account2Key) })
        {
            var claim = await (await anonymous.GetAsync($"/api/payouts/epochs/{epoch}/claims/{account.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)}")).JsonAsync();
            var amount = BigInteger.Parse(claim.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture);
            var index = claim.GetProperty("index").GetInt32();
            var proof = claim.GetProperty("proof").EnumerateArray().Select(p => p.GetString()!).ToList();
            var before = await chain.PayoutBalanceAsync(account);

            await TestChain.Gateway(chain.Connection, key).ClaimAsync(epoch, index, new DividendAllocation(account, amount), proof);

            Assert.Equal(allocations[index], new DividendAllocation(account, amount));
            Assert.Equal(before + amount, await chain.PayoutBalanceAsync(account));
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: claimed");

        // The transparency routes need no key; bad input names its field; nobody else has a claim.
        var list = await (await anonymous.GetAsync("/api/payouts/epochs")).JsonAsync();
        Assert.Equal("Completed", list.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("epoch").GetInt64() == epoch).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/payouts/epochs/{epoch}/claims/{Outsider}")).StatusCode);
        var bad = await anonymous.GetAsync($"/api/payouts/epochs/{epoch}/claims/0x12345");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("address", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync("/api/payouts/epochs/seven")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/payouts/epochs/999")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsJsonAsync("/api/payouts/epochs", new { epoch })).StatusCode);
    }

    internal static async Task<JsonElement> WaitForEpochAsync(HttpClient client, long epoch, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync($"/api/payouts/epochs/{epoch}");
            if (response.IsSuccessStatusCode)
            {
                var report = await response.JsonAsync();
                last = report.ToString();
                if (report.GetProperty("status").GetString() == status)
                {
                    return report;
                }

                Assert.NotEqual("Failed", report.GetProperty("status").GetString());
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Epoch {epoch} did not reach {status}; last seen: {last}");
    }

    private static string LeaseMoney(decimal usd) => usd.ToString("F6", CultureInfo.InvariantCulture);
}
