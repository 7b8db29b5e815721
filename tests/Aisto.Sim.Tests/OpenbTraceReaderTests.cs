using Aisto.Domain.Scheduling.Packing;
using Aisto.Sim.Trace;

namespace Aisto.Sim.Tests;

/// <summary>The openb trace reader, with and without the optional columns.</summary>
public sealed class OpenbTraceReaderTests
{
    private const string Nodes = """
        sn,cpu_milli,memory_mib,gpu,model
        openb-node-0000,64000,262144,2,P100
        openb-node-0001,96000,393216,8,G2
        """;

    private const string PodsWithAllColumns = """
        name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
        pod-a,12000,16384,1,1000,,LS,Running,0,10,0
        pod-b,6000,12288,1,460,P100|G2,LS,Running,1,10,1
        pod-c,4000,8192,0,0,,BE,Running,2,10,2
        pod-d,88000,65536,8,1000,G2,LS,Running,3,10,3
        """;

    private const string PodsWithoutOptionalColumns = """
        name,cpu_milli,memory_mib,num_gpu,qos
        pod-a,12000,16384,1,LS
        pod-d,88000,65536,8,LS
        pod-c,4000,8192,0,BE
        """;

    [Fact]
    public void Nodes_are_read_with_model_GPUs_CPU_and_memory()
    {
        var nodes = OpenbTraceReader.ReadNodes(new StringReader(Nodes));

        Assert.Equal(
            [new PackingNodeSpec("openb-node-0000", "P100", 2, 64000, 262144), new PackingNodeSpec("openb-node-0001", "G2", 8, 96000, 393216)],
            nodes);
    }

    [Fact]
    public void Pods_with_all_columns_keep_their_GPU_share_and_allowed_models()
    {
        var pods = OpenbTraceReader.ReadPods(new StringReader(PodsWithAllColumns));

        Assert.Equal(4, pods.Count);
        Assert.Equal((1, 460), (pods[1].NumGpu, pods[1].GpuMilli));
        Assert.Equal(["P100", "G2"], pods[1].GpuSpec);
        Assert.Empty(pods[0].GpuSpec);
    }

    [Fact]
    public void Pods_without_gpu_milli_and_gpu_spec_ask_for_whole_GPUs_of_any_model()
    {
        var pods = OpenbTraceReader.ReadPods(new StringReader(PodsWithoutOptionalColumns));

        Assert.Equal([1000, 1000, 0], pods.Select(p => p.GpuMilli));
        Assert.All(pods, p => Assert.Empty(p.GpuSpec));
    }

    public static TheoryData<string, int, PackingRequest> Requests => new()
    {
        { "pod-a", 0, PackingRequest.Whole(1, 12000, 16384) },
        { "pod-b", 1, PackingRequest.Shared(460, 6000, 12288, 0b11) },
        { "pod-c", 2, PackingRequest.Whole(0, 4000, 8192) },
        { "pod-d", 3, PackingRequest.Whole(8, 88000, 65536, 0b10) },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void A_pod_becomes_the_packing_request_it_describes(string name, int index, PackingRequest expected)
    {
        var catalog = new GpuModelCatalog();
        catalog.Intern("P100");
        catalog.Intern("G2");

        var pod = OpenbTraceReader.ReadPods(new StringReader(PodsWithAllColumns))[index];

        Assert.Equal(name, pod.Name);
        Assert.Equal(expected, pod.ToRequest(catalog));
    }
}
