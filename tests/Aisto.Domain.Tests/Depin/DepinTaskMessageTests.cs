using System.Numerics;
using System.Text;
using Aisto.Domain.Depin;
using CsCheck;

namespace Aisto.Domain.Tests.Depin;

/// <summary>Intake messages and reward math.</summary>
public sealed class DepinTaskMessageTests
{
    private const string Valid = """{"taskId":"t-1","projectId":"p-1","gpuModel":"A100","gpuCount":2,"gpuFraction":null,"durationMinutes":30,"image":"ghcr.io/p/w:1","command":["run"]}""";

    [Fact]
    public void A_message_in_the_documented_schema_is_read_whole()
    {
        var spec = DepinTaskMessage.Parse(Encoding.UTF8.GetBytes(Valid), out var taskId, out var reason);

        Assert.Null(reason);
        Assert.Equal("t-1", taskId);
        Assert.Equal(("p-1", "A100", 2000, 1800L, 2000L * 1800), (spec!.ProjectId, spec.GpuModel, spec.Gpu.TotalMilli, spec.DurationSeconds, spec.CostGpuMilliSeconds));
    }

    [Theory]
    [InlineData("""{"taskId":"t","gpuModel":"A100","gpuCount":1,"durationMinutes":1,"image":"i"}""", "projectId: is required.")]
    [InlineData("""{"taskId":"t","projectId":"p","gpuModel":"A100","gpuCount":1,"gpuFraction":0.5,"durationMinutes":1,"image":"i"}""", "gpuCount: give either")]
    [InlineData("""{"taskId":"t","projectId":"p","gpuModel":"A100","gpuCount":9,"durationMinutes":1,"image":"i"}""", "gpuCount: must be a number from 1 to 8.")]
    [InlineData("""{"taskId":"t","projectId":"p","gpuModel":"A100","gpuCount":1,"durationMinutes":1,"image":"i","extra":1}""", "extra: is not a known field.")]
    [InlineData("""{"taskId":"a b","projectId":"p","gpuModel":"A100","gpuCount":1,"durationMinutes":1,"image":"i"}""", "taskId: must be")]
    [InlineData("""not json""", "body: not valid JSON")]
    [InlineData("""[1]""", "body: must be a JSON object.")]
    public void An_invalid_message_is_refused_with_a_reason_naming_the_field(string message, string reason)
    {
        var spec = DepinTaskMessage.Parse(Encoding.UTF8.GetBytes(message), out _, out var why);

        Assert.Null(spec);
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reward_is_GPU_hours_times_the_rate_rounded_down_in_base_units()
    {
        // 1.5 GPUs for 40 minutes = 1 GPU-hour at 10^18 per GPU-hour.
        Assert.Equal(BigInteger.Pow(10, 18), DepinRewards.For(DepinRewards.GpuMilliSeconds(1500, 2400), BigInteger.Pow(10, 18)));
        // A third of a base unit is not paid.
        Assert.Equal(BigInteger.Zero, DepinRewards.For(1_200_000, 1));
    }

    [Fact]
    public void Rewards_of_parts_never_exceed_the_reward_of_the_whole() =>
        Gen.Select(Gen.Long[0, 10_000_000_000], Gen.Long[0, 10_000_000_000], Gen.Long[0, long.MaxValue])
            .Sample((a, b, rate) =>
                Assert.True(DepinRewards.For(a, rate) + DepinRewards.For(b, rate) <= DepinRewards.For(a + b, rate)));
}
