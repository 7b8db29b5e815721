using System.Globalization;
using System.Text;

namespace Aisto.Sim.Autoscale;

/// <summary>
/// Draws a replay as a hand-written SVG: demand, the policy's forecast band (and expected value) over the
/// planning window, ready and provisioned capacity, against days since the trace began.
/// </summary>
internal static class SvgPlot
{
    private const double Width = 1260;
    private const double Height = 520;
    private const double Left = 70;
    private const double Right = 230;
    private const double Top = 40;
    private const double Bottom = 50;
    private const int MaxColumns = 1200;

    public static string Render(IReadOnlyList<TimelinePoint> timeline, string title, double lastDays = 0)
    {
        var points = timeline;
        if (lastDays > 0 && timeline.Count > 0)
        {
            var from = timeline[^1].Seconds - (lastDays * 86_400);
            points = timeline.Where(p => p.Seconds >= from).ToList();
        }

        var columns = Downsample(points);
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(Invariant($"<text x=\"{Left}\" y=\"22\" font-size=\"15\">{Escape(title)}</text>\n"));
        if (columns.Count < 2)
        {
            svg.Append("</svg>\n");
            return svg.ToString();
        }

        var x0 = columns[0].Seconds;
        var x1 = columns[^1].Seconds;
        var yMax = columns.Max(c => Max(c.RequestedGpus, c.ProvisionedGpus, c.ForecastUpper)) * 1.05;
        yMax = yMax <= 0 ? 1 : yMax;
        double X(double seconds) => Left + ((seconds - x0) / Math.Max(1, x1 - x0) * (Width - Left - Right));
        double Y(double gpus) => Height - Bottom - (gpus / yMax * (Height - Top - Bottom));

        Axes(svg, x0, x1, yMax, X, Y);

        // the band: upper edge left to right, lower edge back
        var band = columns.Where(c => !double.IsNaN(c.ForecastUpper)).ToList();
        if (band.Count > 1)
        {
            var outline = band.Select(c => Pair(X(c.Seconds), Y(c.ForecastUpper)))
                .Concat(band.AsEnumerable().Reverse().Select(c => Pair(X(c.Seconds), Y(c.ForecastLower))));
            svg.Append(Invariant($"<polygon points=\"{string.Join(' ', outline)}\" fill=\"#9ecae1\" fill-opacity=\"0.55\" stroke=\"none\"/>\n"));
            Line(svg, band.Select(c => (X(c.Seconds), Y(c.ForecastExpected))), "#3182bd", 1, "4 3");
        }

        Line(svg, columns.Select(c => (X(c.Seconds), Y(c.ProvisionedGpus))), "#d62728", 1.3, null);
        Line(svg, columns.Select(c => (X(c.Seconds), Y(c.ReadyGpus))), "#ff9f1c", 1, null);
        Line(svg, columns.Select(c => (X(c.Seconds), Y(c.RequestedGpus))), "#111111", 1, null);

        Legend(svg, [
            ("demand (running + queued GPUs)", "#111111", null),
            ("forecast band (planning window)", "#9ecae1", null),
            ("forecast expected", "#3182bd", "4 3"),
            ("provisioned GPUs (incl. booting)", "#d62728", null),
            ("ready GPUs", "#ff9f1c", null),
        ]);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static List<TimelinePoint> Downsample(IReadOnlyList<TimelinePoint> points)
    {
        if (points.Count <= MaxColumns)
        {
            return [.. points];
        }

        // Peaks matter for capacity: each column keeps the highest demand and capacity and the widest band.
        var per = (int)Math.Ceiling(points.Count / (double)MaxColumns);
        var columns = new List<TimelinePoint>();
        for (var i = 0; i < points.Count; i += per)
        {
            var chunk = points.Skip(i).Take(per).ToList();
            var banded = chunk.Where(p => !double.IsNaN(p.ForecastUpper)).ToList();
            columns.Add(new TimelinePoint(
                chunk[0].Seconds,
                chunk.Max(p => p.RequestedGpus),
                chunk.Max(p => p.ReadyGpus),
                chunk.Max(p => p.ProvisionedGpus),
                banded.Count == 0 ? double.NaN : banded.Min(p => p.ForecastLower),
                banded.Count == 0 ? double.NaN : banded.Average(p => p.ForecastExpected),
                banded.Count == 0 ? double.NaN : banded.Max(p => p.ForecastUpper)));
        }

        return columns;
    }

    private static void Axes(StringBuilder svg, double x0, double x1, double yMax, Func<double, double> x, Func<double, double> y)
    {
        svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#444\"/>\n"));
        svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#444\"/>\n"));
        var spanDays = (x1 - x0) / 86_400;
        var stepDays = NiceStep(spanDays / 10);
        for (var d = Math.Ceiling(x0 / 86_400 / stepDays) * stepDays; d * 86_400 <= x1; d += stepDays)
        {
            var px = x(d * 86_400);
            svg.Append(Invariant($"<line x1=\"{px:F1}\" y1=\"{Top}\" x2=\"{px:F1}\" y2=\"{Height - Bottom}\" stroke=\"#eee\"/>\n"));
            svg.Append(Invariant($"<text x=\"{px:F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{d:0.##}</text>\n"));
        }

        var stepGpus = NiceStep(yMax / 6);
        for (var g = 0.0; g <= yMax; g += stepGpus)
        {
            var py = y(g);
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{py:F1}\" x2=\"{Width - Right}\" y2=\"{py:F1}\" stroke=\"#eee\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Left - 6}\" y=\"{py + 4:F1}\" text-anchor=\"end\">{g:0.##}</text>\n"));
        }

        svg.Append(Invariant($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">days since trace start</text>\n"));
        svg.Append(Invariant($"<text x=\"16\" y=\"{(Top + Height - Bottom) / 2}\" transform=\"rotate(-90 16 {(Top + Height - Bottom) / 2})\" text-anchor=\"middle\">GPUs</text>\n"));
    }

    private static void Legend(StringBuilder svg, (string Label, string Color, string? Dash)[] entries)
    {
        var y = Top + 10;
        foreach (var (label, color, dash) in entries)
        {
            var x = Width - Right + 12;
            var dashAttr = dash is null ? string.Empty : $" stroke-dasharray=\"{dash}\"";
            svg.Append(Invariant($"<line x1=\"{x}\" y1=\"{y}\" x2=\"{x + 18}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"4\"{dashAttr}/>\n"));
            svg.Append(Invariant($"<text x=\"{x + 22}\" y=\"{y + 4}\" font-size=\"10\">{Escape(label)}</text>\n"));
            y += 18;
        }
    }

    private static void Line(StringBuilder svg, IEnumerable<(double X, double Y)> points, string color, double width, string? dash)
    {
        var dashAttr = dash is null ? string.Empty : $" stroke-dasharray=\"{dash}\"";
        svg.Append(Invariant($"<polyline points=\"{string.Join(' ', points.Select(p => Pair(p.X, p.Y)))}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\"{dashAttr}/>\n"));
    }

    private static double NiceStep(double raw)
    {
        if (raw <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var normalized = raw / magnitude;
        return (normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10) * magnitude;
    }

    private static double Max(params double[] values) => values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Max();

    private static string Pair(double x, double y) => Invariant($"{x:F1},{y:F1}");

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
