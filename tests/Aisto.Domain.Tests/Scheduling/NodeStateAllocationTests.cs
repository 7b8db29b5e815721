using Aisto.Domain.Scheduling;
using CsCheck;

namespace Aisto.Domain.Tests.Scheduling;

public sealed class NodeStateAllocationTests
{
    private static NodeState Node(int gpus = 8, int cpuCores = 64, int memoryGiB = 512, string model = "A100") =>
        new("n1", "singapore", model, gpus, cpuCores * 1000, memoryGiB * 1024L);

    private static ResourceRequest Whole(int gpus, int cpuCores = 1, int memoryGiB = 1, string model = "A100") =>
        ResourceRequest.For(model, GpuDemand.Whole(gpus), cpuCores, memoryGiB);

    private static ResourceRequest Share(int milli, string model = "A100") =>
        new([model], GpuDemand.Fraction(milli), 1000, 1024);

    [Fact]
    public void Whole_GPUs_go_to_idle_GPUs_and_are_counted_as_used()
    {
        var (node, allocation) = Node().TryAllocate("lease-1", Whole(3), "leasing")!.Value;

        Assert.Equal([0, 1, 2], allocation.GpuIndices.ToArray());
        Assert.Equal(5, node.FreeWholeGpus);
        Assert.Equal(5000, node.FreeGpuMilli);
    }

    [Fact]
    public void A_share_fills_the_fullest_GPU_it_still_fits_on()
    {
        var node = Node().TryAllocate("a", Share(600), "depin")!.Value.Node;
        node = node.TryAllocate("b", Share(300), "depin")!.Value.Node;

        var (after, allocation) = node.TryAllocate("c", Share(100), "depin")!.Value;

        Assert.Equal([0], allocation.GpuIndices.ToArray());
        Assert.Equal(1000, after.GpuMilliUsed[0]);
        Assert.Equal(7, after.FreeWholeGpus);
    }

    [Fact]
    public void A_request_that_does_not_fit_is_refused()
    {
        Assert.Null(Node(gpus: 2).TryAllocate("x", Whole(3), "leasing"));
        Assert.Null(Node(cpuCores: 8).TryAllocate("x", Whole(1, cpuCores: 9), "leasing"));
        Assert.Null(Node(memoryGiB: 16).TryAllocate("x", Whole(1, memoryGiB: 17), "leasing"));
        Assert.Null(Node(model: "H100").TryAllocate("x", Whole(1, model: "A100"), "leasing"));
    }

    [Fact]
    public void Allocating_twice_under_one_id_books_once()
    {
        var first = Node().TryAllocate("lease-1", Whole(2), "leasing")!.Value;

        var second = first.Node.TryAllocate("lease-1", Whole(2), "leasing")!.Value;

        Assert.Same(first.Node, second.Node);
        Assert.Equal(6, second.Node.FreeWholeGpus);
    }

    [Fact]
    public void Releasing_gives_everything_back_and_releasing_again_changes_nothing()
    {
        var booked = Node().TryAllocate("lease-1", Whole(4, cpuCores: 8, memoryGiB: 64), "leasing")!.Value.Node;

        var released = booked.Release("lease-1");

        Assert.Equal(Node().FreeGpuMilli, released.FreeGpuMilli);
        Assert.Equal(0, released.CpuUsedMilli);
        Assert.Same(released, released.Release("lease-1"));
    }

    [Fact]
    public void A_node_never_holds_more_than_it_has_whatever_is_asked_of_it()
    {
        var requests = Gen.OneOf(
                Gen.Int[1, 8].Select(GpuDemand.Whole),
                Gen.Int[100, 900].Select(m => GpuDemand.Fraction(m)))
            .Select(Gen.Int[1, 32], Gen.Int[1, 256], (gpu, cpu, mem) => new ResourceRequest([], gpu, cpu * 1000, mem * 1024L));
        var operations = Gen.Frequency((4, requests.Select(r => (Request: (ResourceRequest?)r, Release: -1))), (1, Gen.Int[0, 40].Select(i => ((ResourceRequest?)null, i))));

        operations.Array[1, 80].Sample(ops =>
        {
            var node = Node();
            for (var i = 0; i < ops.Length; i++)
            {
                var (request, release) = ops[i];
                node = request is not null
                    ? node.TryAllocate($"h{i}", request, "leasing")?.Node ?? node
                    : node.Release($"h{release}");

                Assert.All(node.GpuMilliUsed, used => Assert.InRange(used, 0, GpuDemand.MilliPerGpu));
                Assert.InRange(node.CpuUsedMilli, 0, node.CpuMilli);
                Assert.InRange(node.MemoryUsedMiB, 0, node.MemoryMiB);
                Assert.Equal(node.GpuMilliUsed.Sum(), node.Allocations.Values.Sum(a => a.TotalGpuMilli));
            }
        });
    }
}
