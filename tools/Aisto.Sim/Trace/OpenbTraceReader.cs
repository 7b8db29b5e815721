using System.Globalization;
using Aisto.Domain.Scheduling.Packing;
using Sylvan.Data.Csv;

namespace Aisto.Sim.Trace;

/// <summary>
/// Reads the Alibaba GPU trace (cluster-trace-gpu-v2023, "openb") node and pod lists. The pod list's
/// <c>gpu_milli</c> (default: whole GPUs) and <c>gpu_spec</c> (default: any model) columns are optional.
/// </summary>
public static class OpenbTraceReader
{
    public static IReadOnlyList<PackingNodeSpec> ReadNodes(TextReader reader)
    {
        using var csv = CsvDataReader.Create(reader);
        int name = Column(csv, "sn"), cpu = Column(csv, "cpu_milli"), memory = Column(csv, "memory_mib"),
            gpu = Column(csv, "gpu"), model = Column(csv, "model");
        var nodes = new List<PackingNodeSpec>();
        while (csv.Read())
        {
            nodes.Add(new PackingNodeSpec(csv.GetString(name), csv.GetString(model), Int(csv, gpu), Int(csv, cpu), Long(csv, memory)));
        }

        return nodes;
    }

    public static IReadOnlyList<TracePod> ReadPods(TextReader reader)
    {
        using var csv = CsvDataReader.Create(reader);
        int name = Column(csv, "name"), cpu = Column(csv, "cpu_milli"), memory = Column(csv, "memory_mib"),
            numGpu = Column(csv, "num_gpu");
        int milli = Column(csv, "gpu_milli", optional: true), spec = Column(csv, "gpu_spec", optional: true);
        var pods = new List<TracePod>();
        while (csv.Read())
        {
            var gpus = Int(csv, numGpu);
            var share = milli >= 0 && !string.IsNullOrWhiteSpace(csv.GetString(milli)) ? Int(csv, milli) : (gpus > 0 ? 1000 : 0);
            var models = spec >= 0 ? csv.GetString(spec) : "";
            pods.Add(new TracePod(
                csv.GetString(name),
                Int(csv, cpu),
                Long(csv, memory),
                gpus,
                share,
                models.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }

        return pods;
    }

    private static int Column(CsvDataReader csv, string column, bool optional = false)
    {
        for (var i = 0; i < csv.FieldCount; i++)
        {
            if (string.Equals(csv.GetName(i).Trim(), column, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return optional ? -1 : throw new InvalidDataException($"The CSV has no '{column}' column.");
    }

    private static int Int(CsvDataReader csv, int column) => int.Parse(csv.GetString(column), NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static long Long(CsvDataReader csv, int column) => long.Parse(csv.GetString(column), NumberStyles.Integer, CultureInfo.InvariantCulture);
}
