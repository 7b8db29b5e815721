using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Quoting;
using static Aisto.Domain.Tests.Scheduling.Quoting.QuoteEngineTests;

namespace Aisto.Domain.Tests.Scheduling.Quoting;

public sealed class WaitForecasterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_request_that_fits_now_waits_nothing()
    {
        RegionSnapshot region = Build.Region("r").Node("n1", 8, "H100").Holding("a", 6);

        Assert.Equal(TimeSpan.Zero, WaitForecaster.ForNewRequest(Outlook(region), region, Request(gpus: 2)));
    }

    [Fact]
    public void A_request_waits_for_enough_holders_to_end_in_order_of_their_expected_end()
    {
        RegionSnapshot region = Build.Region("r").Node("n1", 8, "H100").Holding("a", 4).Holding("b", 4);
        var outlook = Outlook([region], new() { ["a"] = Now.AddMinutes(50), ["b"] = Now.AddMinutes(10) });

        Assert.Equal(TimeSpan.FromMinutes(10), WaitForecaster.ForNewRequest(outlook, region, Request(gpus: 4)));
        Assert.Equal(TimeSpan.FromMinutes(50), WaitForecaster.ForNewRequest(outlook, region, Request(gpus: 8)));
    }

    [Fact]
    public void Leases_queued_ahead_for_the_same_model_and_region_go_first()
    {
        RegionSnapshot region = Build.Region("r").Node("n1", 8, "H100").Holding("a", 4).Holding("b", 4);
        var ends = new Dictionary<string, DateTimeOffset> { ["a"] = Now.AddMinutes(50), ["b"] = Now.AddMinutes(10) };
        WaitingLease[] queue =
        [
            new("q1", "H100", null, 4000, TimeSpan.FromHours(1)),
            new("q2", "A100", null, 8000, TimeSpan.FromHours(1)),
            new("q3", "H100", "elsewhere", 8000, TimeSpan.FromHours(1)),
        ];

        var wait = WaitForecaster.ForNewRequest(Outlook([region], ends, queue), region, Request(gpus: 4));

        Assert.Equal(TimeSpan.FromMinutes(50), wait);
    }

    [Fact]
    public void A_queued_lease_counts_only_those_ahead_of_it()
    {
        RegionSnapshot region = Build.Region("r").Node("n1", 8, "H100").Holding("a", 4).Holding("b", 4);
        var ends = new Dictionary<string, DateTimeOffset> { ["a"] = Now.AddMinutes(50), ["b"] = Now.AddMinutes(10) };
        WaitingLease[] queue = [new("q1", "H100", null, 4000, TimeSpan.FromHours(1)), new("q2", "H100", null, 4000, TimeSpan.FromHours(1))];
        var outlook = Outlook([region], ends, queue);

        Assert.Equal(TimeSpan.FromMinutes(10), WaitForecaster.ForQueuedLease(outlook, "q1", Request(gpus: 4)));
        Assert.Equal(TimeSpan.FromMinutes(50), WaitForecaster.ForQueuedLease(outlook, "q2", Request(gpus: 4)));
    }

    [Fact]
    public void A_holder_with_no_known_end_is_assumed_to_hold_for_the_configured_horizon()
    {
        RegionSnapshot region = Build.Region("r").Node("n1", 8, "H100").Holding("provisioning", 8);

        Assert.Equal(TimeSpan.FromHours(1), WaitForecaster.ForNewRequest(Outlook(region), region, Request(gpus: 1)));
    }

    [Fact]
    public void A_request_bigger_than_every_node_has_no_estimate()
    {
        RegionSnapshot region = Build.Region("r").Node("n1", 4, "H100");

        Assert.Null(WaitForecaster.ForNewRequest(Outlook(region), region, Request(gpus: 8)));
    }
}
