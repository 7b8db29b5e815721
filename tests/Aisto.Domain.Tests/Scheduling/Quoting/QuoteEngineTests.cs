using Aisto.Domain.Leases;
using Aisto.Domain.Pricing;
using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Quoting;

namespace Aisto.Domain.Tests.Scheduling.Quoting;

public sealed class QuoteEngineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly PriceBook Prices = new(
        new Dictionary<string, decimal> { ["H100"] = 4m, ["A100"] = 2m },
        new Dictionary<string, decimal> { ["us-east"] = 1m, ["singapore"] = 1.1m, ["malaysia"] = 0.9m },
        new Dictionary<LeaseClass, decimal> { [LeaseClass.OnDemand] = 1m, [LeaseClass.Spot] = 0.4m, [LeaseClass.Reserved] = 0.8m });

    private static readonly GeoPoint SingaporeClient = new(1.35, 103.82);

    [Fact]
    public void Every_region_with_the_model_gets_one_option_and_free_ones_start_now_cheapest_first()
    {
        var outlook = Outlook(UsEast().Node("u1", 8, "H100"), Singapore().Node("s1", 8, "H100"), Malaysia().Node("m1", 8, "H100"));

        var options = QuoteEngine.Quote(outlook, Request(gpus: 2, hours: 3), Prices);

        Assert.Equal(["malaysia", "us-east", "singapore"], options.Select(o => o.Region.Id));
        Assert.All(options, o => Assert.Equal(TimeSpan.Zero, o.EstimatedWait));
        var malaysia = options[0];
        Assert.Equal(7.2m, malaysia.PricePerHour);   // 4 × 0.9 × 2 GPUs
        Assert.Equal(21.6m, malaysia.Total);         // × 3 h
        Assert.Null(malaysia.EstimatedLatencyMs);
    }

    [Fact]
    public void A_region_that_must_wait_comes_after_those_that_can_start_now_however_cheap_it_is()
    {
        var outlook = Outlook(
            [Malaysia().Node("m1", 8, "H100").Holding("busy", 8), Singapore().Node("s1", 8, "H100")],
            ends: new() { ["busy"] = Now.AddMinutes(30) });

        var options = QuoteEngine.Quote(outlook, Request(gpus: 4), Prices);

        Assert.Equal(["singapore", "malaysia"], options.Select(o => o.Region.Id));
        Assert.Equal(TimeSpan.Zero, options[0].EstimatedWait);
        Assert.Equal(TimeSpan.FromMinutes(30), options[1].EstimatedWait);
    }

    [Fact]
    public void Regions_without_the_model_or_beyond_the_latency_budget_are_not_offered()
    {
        var outlook = Outlook(UsEast().Node("u1", 8, "H100"), Singapore().Node("s1", 8, "A100"), Malaysia().Node("m1", 8, "H100"));

        var options = QuoteEngine.Quote(outlook, Request(gpus: 1) with { ClientLocation = SingaporeClient, MaxLatencyMs = 80 }, Prices);

        var only = Assert.Single(options);
        Assert.Equal("malaysia", only.Region.Id);
        Assert.InRange(only.EstimatedLatencyMs!.Value, 5, 80);
    }

    [Fact]
    public void A_pinned_region_is_the_only_option()
    {
        var outlook = Outlook(UsEast().Node("u1", 8, "H100"), Singapore().Node("s1", 8, "H100"));

        var options = QuoteEngine.Quote(outlook, Request(gpus: 1) with { Region = "singapore" }, Prices);

        Assert.Equal("singapore", Assert.Single(options).Region.Id);
    }

    [Fact]
    public void A_request_larger_than_any_node_gets_no_option()
    {
        var outlook = Outlook(UsEast().Node("u1", 4, "H100"));

        Assert.Empty(QuoteEngine.Quote(outlook, Request(gpus: 8), Prices));
    }

    [Fact]
    public void Spot_is_cheapest_when_the_model_is_idle_and_approaches_on_demand_as_it_fills()
    {
        var idle = Outlook(UsEast().Node("u1", 8, "H100"));
        var busy = Outlook(UsEast().Node("u1", 8, "H100").Holding("x", 7));
        var spot = Request(gpus: 1) with { Class = LeaseClass.Spot };

        var idlePrice = QuoteEngine.Quote(idle, spot, Prices)[0].PricePerHour;
        var busyPrice = QuoteEngine.Quote(busy, spot, Prices)[0].PricePerHour;
        var onDemand = QuoteEngine.Quote(idle, Request(gpus: 1), Prices)[0].PricePerHour;

        Assert.Equal(1.6m, idlePrice);
        Assert.True(idlePrice < busyPrice && busyPrice < onDemand, $"{idlePrice} < {busyPrice} < {onDemand}");
    }

    [Fact]
    public void An_incubation_request_is_quoted_at_no_charge()
    {
        var options = QuoteEngine.Quote(Outlook(UsEast().Node("u1", 8, "H100")), Request(gpus: 2) with { Pool = LeasePool.Incubation }, Prices);

        Assert.Equal(0m, options[0].Total);
    }

    [Fact]
    public void Quoting_books_nothing()
    {
        RegionSnapshot region = UsEast().Node("u1", 8, "H100").Holding("x", 3);
        var before = region.Nodes[0];

        QuoteEngine.Quote(Outlook(region), Request(gpus: 2), Prices);

        Assert.Same(before, region.Nodes[0]);
        Assert.Equal(5000, region.Nodes[0].FreeGpuMilli);
    }

    internal static LeaseRequest Request(int gpus, decimal hours = 1, string model = "H100") => new(
        model, GpuDemand.Whole(gpus), 8 * gpus, 64 * gpus, hours, LeaseClass.OnDemand, LeasePool.Leasing,
        LeasePurpose.Training, null, null, null, PreemptionAction.End, null);

    internal static CapacityOutlook Outlook(params RegionSnapshot[] regions) => Outlook(regions, null);

    internal static CapacityOutlook Outlook(
        RegionSnapshot[] regions, Dictionary<string, DateTimeOffset>? ends, IReadOnlyList<WaitingLease>? queue = null) =>
        new(regions, queue ?? [], ends ?? [], Now, TimeSpan.FromHours(1));

    private static RegionBuilder UsEast() => Build.Region("us-east", 39.0, -77.5);

    private static RegionBuilder Singapore() => Build.Region("singapore", 1.35, 103.82);

    private static RegionBuilder Malaysia() => Build.Region("malaysia", 3.14, 101.69);
}
