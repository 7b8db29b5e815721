using Aisto.Domain.Monitoring;
using Aisto.Domain.Scheduling;

namespace Aisto.Domain.Tests.Monitoring;

public sealed class ThresholdAlertRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlertThresholds Thresholds = new(TimeSpan.FromMinutes(5), UtilizationHigh: 0.9m, UtilizationLow: 0.05m, UtilizationLowMinGpus: 16);

    public static TheoryData<string, RegionSnapshot, QueuedDemand[], string[]> Cases() => new()
    {
        { "a healthy region raises nothing", Fleet.Region("sg").Node("n1").Holding("l", 4, "leasing"), [], [] },
        { "a region that does not answer is down, and nothing else is judged", Fleet.Region("sg").Node("n1").ToSnapshot(isUp: false), [], ["RegionDown/sg"] },
        { "a model at 90 % is high", Fleet.Region("sg").Node("n1", 10).Holding("l", 9, "leasing"), [], ["UtilizationHigh/sg/A100"] },
        {
            "an idle model with enough GPUs is low", Fleet.Region("sg").Node("n1").Node("n2").Node("n3").Holding("l", 1, "leasing"), [],
            ["UtilizationLow/sg/A100"]
        },
        { "an idle small model is not an alert", Fleet.Region("sg").Node("n1"), [], [] },
        {
            "a lease queued longer than the SLO breaks it", Fleet.Region("sg").Node("n1").Holding("l", 4, "leasing"),
            [new QueuedDemand("A100", null, null, Now.AddMinutes(-6))], ["QueueWaitAboveSlo/sg/A100"]
        },
        {
            "a lease queued within the SLO does not", Fleet.Region("sg").Node("n1").Holding("l", 4, "leasing"),
            [new QueuedDemand("A100", null, null, Now.AddMinutes(-4))], []
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Threshold_alerts(string scenario, RegionSnapshot region, QueuedDemand[] queue, string[] expectedKeys)
    {
        var statuses = RegionStatusBuilder.Build([region], queue, [], Now);

        var keys = ThresholdAlertRules.Evaluate(statuses, Thresholds).Select(c => c.Key);

        Assert.True(expectedKeys.SequenceEqual(keys), $"{scenario}: expected [{string.Join(", ", expectedKeys)}], got [{string.Join(", ", keys)}]");
    }

    [Fact]
    public void A_p95_wait_above_the_slo_breaks_it_even_with_an_empty_queue()
    {
        RegionSnapshot region = Fleet.Region("sg").Node("n1").Holding("l", 4, "leasing");
        var waits = new[] { new WaitSample("sg", "A100", "leasing", TimeSpan.FromMinutes(7), Now) };

        var conditions = ThresholdAlertRules.Evaluate(RegionStatusBuilder.Build([region], [], waits, Now), Thresholds);

        var condition = Assert.Single(conditions);
        Assert.Equal((AlertKind.QueueWaitAboveSlo, AlertSeverity.Warning, "sg"), (condition.Kind, condition.Severity, condition.Region));
    }
}
