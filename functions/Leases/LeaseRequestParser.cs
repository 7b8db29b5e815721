using System.Text.RegularExpressions;
using Aisto.Domain.Leases;
using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;
using Aisto.Functions.Http;

namespace Aisto.Functions.Leases;

/// <summary>Turns a lease body (../API.md §Leases) into a <see cref="LeaseRequest"/>, or field errors.</summary>
public static partial class LeaseRequestParser
{
    /// <summary>Parses the body; the workload is optional (a simulated region runs without one).</summary>
    public static LeaseRequest? Parse(JsonObjectReader body)
    {
        var model = body.String("gpuModel", required: true, maxLength: 32, IsId, "must be a GPU model id such as H100.");
        var count = body.Int("gpuCount", required: false, LeaseLimits.MinGpuCount, LeaseLimits.MaxGpuCount);
        var fraction = body.Decimal("gpuFraction", required: false, LeaseLimits.MinGpuFraction, LeaseLimits.MaxGpuFraction);
        if (body.Has("gpuCount") && body.Has("gpuFraction"))
        {
            body.Error("gpuFraction", "give gpuCount or gpuFraction, not both.");
        }
        else if (!body.Has("gpuCount") && !body.Has("gpuFraction"))
        {
            body.Error("gpuCount", "is required (or gpuFraction for a share of one GPU).");
        }

        var cpu = body.Int("cpuCores", required: false, LeaseLimits.MinCpuCores, LeaseLimits.MaxCpuCores);
        var memory = body.Int("memoryGiB", required: false, LeaseLimits.MinMemoryGiB, LeaseLimits.MaxMemoryGiB);
        var duration = body.Decimal("durationHours", required: true, LeaseLimits.MinDurationHours, LeaseLimits.MaxDurationHours);
        var leaseClass = body.Enum("class", LeaseClass.OnDemand);
        var pool = body.Enum("pool", LeasePool.Leasing);
        var purpose = body.Enum("purpose", LeasePurpose.Training);
        var region = body.String("region", required: false, maxLength: 32, IsId, "must be a region id such as singapore.");
        var maxLatency = body.Decimal("maxLatencyMs", required: false, (decimal)LeaseLimits.MinMaxLatencyMs, (decimal)LeaseLimits.MaxMaxLatencyMs);
        var onPreemption = body.Enum("onPreemption", PreemptionAction.End);
        GeoPoint? location = null;
        if (body.Object("clientLocation") is { } at)
        {
            var lat = at.Decimal("lat", required: true, -90, 90);
            var lon = at.Decimal("lon", required: true, -180, 180);
            at.RejectUnknownFields();
            location = lat is not null && lon is not null ? new GeoPoint((double)lat, (double)lon) : null;
        }

        Workload? workload = null;
        if (body.Object("workload") is { } w)
        {
            var image = w.String("image", required: true, maxLength: 256, IsImage, "must be a container image reference.");
            var command = w.StringArray("command", maxItems: 64, maxLength: 1024) ?? [];
            var env = w.StringMap("env", maxItems: 64, maxLength: 4096) ?? new Dictionary<string, string>();
            w.RejectUnknownFields();
            workload = image is null ? null : new Workload(image, command, env);
        }

        if (onPreemption == PreemptionAction.Requeue && leaseClass is not LeaseClass.Spot && !body.HasErrors)
        {
            body.Error("onPreemption", "applies to spot leases only.");
        }

        body.RejectUnknownFields();
        if (body.HasErrors || model is null || duration is null || leaseClass is null || pool is null || purpose is null || onPreemption is null)
        {
            return null;
        }

        var gpu = count is { } c ? GpuDemand.Whole(c) : GpuDemand.Fraction(fraction!.Value);
        return new LeaseRequest(
            model,
            gpu,
            cpu ?? DefaultCpuCores(gpu),
            memory ?? DefaultMemoryGiB(gpu),
            duration.Value,
            leaseClass.Value,
            pool.Value,
            purpose.Value,
            region?.ToLowerInvariant(),
            location,
            maxLatency is null ? null : (double)maxLatency,
            onPreemption.Value,
            workload);
    }

    /// <summary>Eight cores per GPU (two for a shared GPU) when the tenant does not say.</summary>
    public static int DefaultCpuCores(GpuDemand gpu) => gpu.IsFractional ? 2 : 8 * gpu.WholeGpus;

    /// <summary>64 GiB per GPU (16 for a shared GPU) when the tenant does not say.</summary>
    public static int DefaultMemoryGiB(GpuDemand gpu) => gpu.IsFractional ? 16 : 64 * gpu.WholeGpus;

    private static bool IsId(string s) => IdPattern().IsMatch(s);

    private static bool IsImage(string s) => ImagePattern().IsMatch(s);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._\-/:@]*$")]
    private static partial Regex ImagePattern();
}
