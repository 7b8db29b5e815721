using System.Globalization;
using nietras.SeparatedValues;

namespace Aisto.Sim.Autoscale;

/// <summary>
/// Reads a demand trace in either format, told apart by the header: the Alibaba openb pods list
/// (<c>creation_time</c>, <c>deletion_time</c>, <c>num_gpu</c>, <c>gpu_milli</c>) or the generic
/// <c>arrival_s,duration_s,gpus[,gpu_model]</c>. Returns the requests sorted by arrival.
/// </summary>
internal static class TraceReader
{
    public static IReadOnlyList<TraceRequest> ReadFile(string path) => Read(Sep.Reader().FromFile(path));

    public static IReadOnlyList<TraceRequest> Parse(string csv) => Read(Sep.Reader().FromText(csv));

    private static List<TraceRequest> Read(SepReader reader)
    {
        using (reader)
        {
            var header = reader.Header;
            List<TraceRequest> requests;
            if (header.TryIndexOf("creation_time", out _) && header.TryIndexOf("num_gpu", out _))
            {
                requests = ReadPods(reader);
            }
            else if (header.TryIndexOf("arrival_s", out _))
            {
                requests = ReadGeneric(reader);
            }
            else
            {
                throw new FormatException("Unknown trace: expected an openb pods header (creation_time, deletion_time, num_gpu, gpu_milli) or arrival_s,duration_s,gpus.");
            }

            requests.Sort((a, b) => a.ArrivalSeconds.CompareTo(b.ArrivalSeconds));
            return requests;
        }
    }

    private static List<TraceRequest> ReadPods(SepReader reader)
    {
        var hasSpec = reader.Header.TryIndexOf("gpu_spec", out var specIndex);
        var requests = new List<TraceRequest>();
        foreach (var row in reader)
        {
            var count = row["num_gpu"].Parse<int>();
            if (count <= 0)
            {
                continue; // CPU-only pods ask nothing of a GPU fleet
            }

            // gpu_milli is the share of one GPU for single-GPU pods; multi-GPU pods take whole GPUs.
            var milli = row["gpu_milli"].Span.IsEmpty ? 1000 : row["gpu_milli"].Parse<int>();
            var gpus = count == 1 && milli is > 0 and < 1000 ? milli / 1000.0 : count;
            var created = row["creation_time"].Parse<double>();
            var deleted = row["deletion_time"].Parse<double>();
            if (deleted <= created)
            {
                continue;
            }

            var spec = hasSpec ? row[specIndex].ToString() : string.Empty;
            requests.Add(new TraceRequest(created, deleted - created, gpus, spec.Length == 0 ? null : spec));
        }

        return requests;
    }

    private static List<TraceRequest> ReadGeneric(SepReader reader)
    {
        var hasModel = reader.Header.TryIndexOf("gpu_model", out var modelIndex);
        var requests = new List<TraceRequest>();
        foreach (var row in reader)
        {
            var arrival = Number(row["arrival_s"].ToString());
            var duration = Number(row["duration_s"].ToString());
            var gpus = Number(row["gpus"].ToString());
            if (duration <= 0 || gpus <= 0)
            {
                continue;
            }

            var model = hasModel ? row[modelIndex].ToString() : string.Empty;
            requests.Add(new TraceRequest(arrival, duration, gpus, model.Length == 0 ? null : model));
        }

        return requests;
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
