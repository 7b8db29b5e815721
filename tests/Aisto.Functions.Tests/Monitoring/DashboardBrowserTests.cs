using System.Numerics;
using Aisto.Domain.Payouts;

namespace Aisto.Functions.Tests.Monitoring;

/// <summary>The dashboard in a real browser (headless Chromium via playwright-core) against the real standalone app.</summary>
public sealed partial class MonitoringTests
{
    [Fact]
    public async Task The_dashboard_loads_from_slash_dashboard_and_shows_the_three_regions()
    {
        var seen = await fixture.BrowseAsync("regions");

        Assert.EndsWith("/api/dashboard/", seen.GetProperty("url").GetString());
        Assert.Equal(["us-east", "singapore", "malaysia"], seen.GetProperty("regions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["A100", "H100", "L40S", "RTX4090"], seen.GetProperty("models").EnumerateArray().Select(r => r.GetString()));
        Assert.StartsWith("public view", seen.GetProperty("connection").GetString());
    }

    [Fact]
    public async Task The_dashboard_shows_a_lease_within_seconds_after_it_becomes_active()
    {
        var seen = await fixture.BrowseAsync("liveLease", new { lease = new { region = "malaysia", model = "A100", gpus = 4 } });
        output.WriteLine($"dashboard showed the lease {seen.GetProperty("secondsAfterActive").GetDouble():0.000} s after the API answered Active");

        Assert.Equal("Active", seen.GetProperty("status").GetString());
        Assert.Equal(seen.GetProperty("before").GetDouble() + 4, seen.GetProperty("after").GetDouble());
        Assert.Equal("Active", seen.GetProperty("rowStatus").GetString());
        // Snapshots come every 2 s here (Aisto:Monitoring:SnapshotInterval); 5 s allows for one slow storage read.
        Assert.InRange(seen.GetProperty("secondsAfterActive").GetDouble(), 0, 5);

        // The same lease in GET /api/regions: in the leasing pool of Malaysia's A100s, with its queue wait sampled.
        var regions = await (await fixture.App.Client(apiKey: null).GetAsync("/api/regions")).JsonAsync();
        var a100 = regions.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "malaysia")
            .GetProperty("gpus").EnumerateArray().Single(g => g.GetProperty("model").GetString() == "A100");
        var leasing = a100.GetProperty("pools").GetProperty("leasing");
        Assert.Equal((24, 12m), (a100.GetProperty("total").GetInt32(), leasing.GetProperty("total").GetDecimal()));
        Assert.True(leasing.GetProperty("allocated").GetDecimal() >= 4);
        Assert.True(leasing.GetProperty("wait").GetProperty("samples").GetInt32() >= 1);
        Assert.True(leasing.GetProperty("wait").GetProperty("p95Seconds").GetDouble() > 0);
    }

    [Fact]
    public async Task The_verify_view_confirms_a_published_root_and_flags_a_tampered_report()
    {
        var allocations = Enumerable.Range(1, 25)
            .Select(i => new DividendAllocation($"0x{i * 7919:x40}", BigInteger.Pow(10, 18) * i + 12345))
            .ToList();
        var root = MerkleTree.Build(allocations).Root;
        var honest = Report(7, allocations, root);
        var tampered = Report(8, [.. allocations.Select((a, i) => i == 3 ? a with { Amount = a.Amount + 1 } : a)], root);

        var seen = await fixture.BrowseAsync("verify", new { reports = new[] { honest, tampered } });

        Assert.Equal("match", seen.GetProperty("7").GetProperty("result").GetString());
        Assert.Equal(root, seen.GetProperty("7").GetProperty("computed").GetString());
        Assert.Equal("mismatch", seen.GetProperty("8").GetProperty("result").GetString());
        Assert.NotEqual(root, seen.GetProperty("8").GetProperty("computed").GetString());
    }

    [Fact]
    public async Task The_API_reference_renders_offline_in_the_browser()
    {
        var seen = await fixture.BrowseAsync("apiReference");

        Assert.True(seen.GetProperty("mentionsStream").GetBoolean());
    }

    /// <summary>An epoch report in the shape of GET /api/payouts/epochs/{epoch} (API.md §Payouts).</summary>
    private static object Report(int epoch, IReadOnlyList<DividendAllocation> allocations, string root) => new
    {
        epoch,
        status = "Completed",
        periodStart = "2026-11-24T00:00:00Z",
        periodEnd = "2026-11-25T00:00:00Z",
        dividendPool = allocations.Aggregate(BigInteger.Zero, (sum, a) => sum + a.Amount).ToString(),
        rolledOver = "0",
        merkleRoot = root,
        allocations = allocations.Select((a, i) => new { index = i, account = a.Account, amount = a.Amount.ToString() }),
    };
}
