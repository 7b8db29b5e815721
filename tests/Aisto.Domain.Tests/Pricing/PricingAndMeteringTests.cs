using Aisto.Domain.Leases;
using Aisto.Domain.Pricing;
using Aisto.Domain.Scheduling;

namespace Aisto.Domain.Tests.Pricing;

public sealed class PricingAndMeteringTests
{
    private static readonly PriceBook Prices = new(
        new Dictionary<string, decimal> { ["H100"] = 2.99m, ["L40S"] = 0.99m },
        new Dictionary<string, decimal> { ["singapore"] = 1.1m },
        new Dictionary<LeaseClass, decimal> { [LeaseClass.Spot] = 0.4m });

    [Theory]
    [InlineData("H100", "singapore", LeaseClass.OnDemand, 2, "6.578000")]
    [InlineData("H100", "us-east", LeaseClass.Spot, 1, "1.196000")]
    [InlineData("L40S", "us-east", LeaseClass.OnDemand, 8, "7.920000")]
    public void A_lease_costs_the_GPU_price_times_region_times_class_times_GPUs(string model, string region, LeaseClass leaseClass, int gpus, string expected)
    {
        Assert.Equal(expected, Prices.PricePerHour(model, region, leaseClass, GpuDemand.Whole(gpus)).ToString("F6", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(0.0, "1.196000")]
    [InlineData(0.5, "1.644500")]
    [InlineData(1.0, "2.990000")]
    public void A_spot_GPU_starts_at_the_spot_price_and_rises_with_utilization_to_the_on_demand_price(double utilization, string expected)
    {
        var price = Prices.GpuHourPrice("H100", "us-east", LeaseClass.Spot, (decimal)utilization);

        Assert.Equal(expected, price.ToString("F6", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Spot_prices_never_fall_as_utilization_rises_and_other_classes_ignore_utilization()
    {
        var steps = Enumerable.Range(0, 101).Select(i => i / 100m).ToList();

        var spot = steps.Select(u => Prices.GpuHourPrice("H100", "us-east", LeaseClass.Spot, u)).ToList();
        var onDemand = steps.Select(u => Prices.GpuHourPrice("H100", "us-east", LeaseClass.OnDemand, u)).Distinct();

        Assert.Equal(spot.Order(), spot);
        Assert.Equal([2.99m], onDemand);
    }

    [Fact]
    public void A_shared_GPU_costs_its_share()
    {
        Assert.Equal(0.99m * 0.25m, Prices.PricePerHour("L40S", "us-east", LeaseClass.OnDemand, GpuDemand.Fraction(0.25m)));
    }

    [Fact]
    public void Metering_bills_whole_seconds_only()
    {
        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(0m, Metering.Charge(3600m, from, from.AddMilliseconds(999)));
        Assert.Equal(1m, Metering.Charge(3600m, from, from.AddMilliseconds(1999)));
        Assert.Equal(3600m, Metering.Charge(3600m, from, from.AddHours(1)));
        Assert.Equal(0m, Metering.Charge(3600m, from, from.AddSeconds(-5)));
    }

    [Fact]
    public void Charges_are_rounded_to_six_decimals_half_away_from_zero()
    {
        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

        // 0.891 $/h × 3 s = 0.0007425 → 0.000743
        Assert.Equal(0.000743m, Metering.Charge(0.891m, from, from.AddSeconds(3)));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 500)]
    [InlineData(0, 1000)]
    [InlineData(-1, 0)]
    public void A_GPU_demand_is_whole_GPUs_or_a_share_below_one_never_both(int whole, int milli)
    {
        Assert.Throws<ArgumentException>(() => new GpuDemand(whole, milli));
    }

    [Fact]
    public void A_share_is_counted_in_thousandths_of_a_GPU()
    {
        Assert.Equal(250, GpuDemand.Fraction(0.25m).TotalMilli);
        Assert.Equal(0.25m, GpuDemand.Fraction(0.25m).Gpus);
        Assert.Equal(3000, GpuDemand.Whole(3).TotalMilli);
    }
}
