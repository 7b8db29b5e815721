namespace Aisto.Sim.Autoscale;

/// <summary>A one-line progress bar on stderr, redrawn in place.</summary>
internal sealed class ProgressBar(string label, TextWriter output)
{
    private const int Width = 40;

    public void Report(double fraction)
    {
        var filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * Width);
        output.Write($"\r{label} [{new string('#', filled)}{new string('-', Width - filled)}] {fraction,4:P0}");
        if (fraction >= 1)
        {
            output.WriteLine();
        }

        output.Flush();
    }
}
