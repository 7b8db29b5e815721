namespace Aisto.Sim.Autoscale;

/// <summary>
/// The demand a trace would put on an unlimited fleet (every request starts on arrival), as the peak of each
/// minute: what an oracle knows in advance and what a static fleet is sized for.
/// </summary>
internal sealed class DemandCurve
{
    private readonly double[] _peakPerMinute;

    private DemandCurve(double[] peakPerMinute) => _peakPerMinute = peakPerMinute;

    public double Peak => _peakPerMinute.Length == 0 ? 0 : _peakPerMinute.Max();

    public int Minutes => _peakPerMinute.Length;

    public static DemandCurve From(IReadOnlyList<TraceRequest> requests)
    {
        var changes = new List<(double At, double Delta)>(requests.Count * 2);
        foreach (var r in requests)
        {
            changes.Add((r.ArrivalSeconds, r.Gpus));
            changes.Add((r.ArrivalSeconds + r.DurationSeconds, -r.Gpus));
        }

        // Ends before starts at the same instant: a GPU handed over at t is not needed twice.
        changes.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Delta.CompareTo(b.Delta));
        var end = changes.Count == 0 ? 0 : changes[^1].At;
        var peaks = new double[(int)Math.Ceiling(end / 60) + 1];
        var level = 0.0;
        var i = 0;
        for (var m = 0; m < peaks.Length; m++)
        {
            var minuteEnd = (m + 1) * 60.0;
            var peak = level;
            while (i < changes.Count && changes[i].At < minuteEnd)
            {
                level += changes[i].Delta;
                peak = Math.Max(peak, level);
                i++;
            }

            peaks[m] = Math.Max(0, peak);
        }

        return new DemandCurve(peaks);
    }

    /// <summary>The highest demand during [<paramref name="fromSeconds"/>, <paramref name="toSeconds"/>).</summary>
    public double PeakBetween(double fromSeconds, double toSeconds)
    {
        var first = Math.Max(0, (int)Math.Floor(fromSeconds / 60));
        var last = Math.Min(_peakPerMinute.Length - 1, (int)Math.Ceiling(toSeconds / 60) - 1);
        var peak = 0.0;
        for (var m = first; m <= last; m++)
        {
            peak = Math.Max(peak, _peakPerMinute[m]);
        }

        return peak;
    }
}
