using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Aisto.Sim.Pack;

/// <summary>Draws the allocation curves (allocated vs arrived GPU share) of the policies run as an SVG file.</summary>
public static class AllocationCurvePlot
{
    public static void Write(string path, IReadOnlyList<PackSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var model = new PlotModel { Title = "Workload inflation: GPUs allocated as arrived demand grows", Background = OxyColors.White };
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.LeftTop, LegendPlacement = LegendPlacement.Inside });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "Arrived GPU demand (% of capacity)", Minimum = 0, Maximum = 100, MajorGridlineStyle = LineStyle.Dot });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "Allocated GPUs (% of capacity)", Minimum = 0, Maximum = 100, MajorGridlineStyle = LineStyle.Dot });
        var ideal = new LineSeries { Title = "ideal", LineStyle = LineStyle.Dash, Color = OxyColors.Gray };
        ideal.Points.Add(new DataPoint(0, 0));
        ideal.Points.Add(new DataPoint(100, 100));
        model.Series.Add(ideal);
        foreach (var summary in summaries)
        {
            var series = new LineSeries { Title = $"{summary.Policy} ({summary.UnallocatedGpuShare:P1} unallocated)", MarkerType = MarkerType.Circle, MarkerSize = 2 };
            series.Points.Add(new DataPoint(0, 0));
            foreach (var p in summary.Curve)
            {
                series.Points.Add(new DataPoint(p.ArrivedShare * 100, p.AllocatedShare * 100));
            }

            model.Series.Add(series);
        }

        using var stream = File.Create(path);
        new SvgExporter { Width = 900, Height = 600 }.Export(model, stream);
    }
}
