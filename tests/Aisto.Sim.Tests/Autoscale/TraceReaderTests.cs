using Aisto.Sim.Autoscale;

namespace Aisto.Sim.Tests.Autoscale;

public sealed class TraceReaderTests
{
    [Fact]
    public void Openb_pods_become_requests_with_fractional_and_whole_gpus_and_cpu_only_pods_are_skipped()
    {
        const string csv = """
            name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
            p-2,6000,12288,1,460,,LS,Running,300,900,300
            p-1,12000,16384,1,1000,V100M16|V100M32,LS,Running,0,600,0
            p-3,4000,8192,0,0,,BE,Succeeded,100,200,100
            p-4,32000,65536,8,1000,,LS,Failed,500,4100,500
            """;

        var requests = TraceReader.Parse(csv);

        Assert.Equal(
            [
                new TraceRequest(0, 600, 1, "V100M16|V100M32"),
                new TraceRequest(300, 600, 0.46),
                new TraceRequest(500, 3600, 8),
            ],
            requests);
    }

    [Fact]
    public void Pods_that_end_before_they_start_are_skipped()
    {
        const string csv = """
            name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
            p-1,1000,1024,1,1000,,LS,Failed,500,500,
            """;

        Assert.Empty(TraceReader.Parse(csv));
    }

    [Fact]
    public void The_generic_format_takes_fractional_gpus_and_an_optional_model()
    {
        const string csv = """
            arrival_s,duration_s,gpus,gpu_model
            60.5,120,0.25,H100
            0,30,2,
            """;

        var requests = TraceReader.Parse(csv);

        Assert.Equal([new TraceRequest(0, 30, 2), new TraceRequest(60.5, 120, 0.25, "H100")], requests);
    }

    [Fact]
    public void The_generic_format_works_without_a_model_column()
    {
        var requests = TraceReader.Parse("arrival_s,duration_s,gpus\n10,20,1\n");

        Assert.Equal([new TraceRequest(10, 20, 1)], requests);
    }

    [Fact]
    public void An_unknown_header_is_refused()
    {
        Assert.Throws<FormatException>(() => TraceReader.Parse("start,end,gpus\n1,2,3\n"));
    }
}
