using ScottPlot;

namespace Specialize.Bench.Charts;

/// <summary>A series of a line chart: its name and its points.</summary>
internal sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>One bar of a bar chart.</summary>
internal sealed record Bar(string Label, double Value);

/// <summary>Draws the benchmark charts with ScottPlot and writes them as SVG.</summary>
internal static class ChartFile
{
    private const int Width = 800;
    private const int Height = 480;

    /// <summary>
    /// A line chart with any number of series (one per device, implementation or variant), both axes on a log scale
    /// when asked: times that span orders of magnitude stay readable.
    /// </summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logX, bool logY)
    {
        var plot = new Plot();
        foreach (Series s in series.Where(static s => s.Points.Count > 0))
        {
            var points = s.Points.OrderBy(static p => p.X).ToArray();
            double[] xs = points.Select(p => logX ? Math.Log10(p.X) : p.X).ToArray();
            double[] ys = points.Select(p => logY ? Math.Log10(p.Y) : p.Y).ToArray();
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = s.Name;
            scatter.MarkerSize = 7;
            scatter.LineWidth = 2;
        }

        if (logX)
        {
            plot.Axes.Bottom.TickGenerator = LogTicks();
        }

        if (logY)
        {
            plot.Axes.Left.TickGenerator = LogTicks();
        }

        plot.Axes.Margins(0.08, 0.12);
        Finish(plot, path, title, xLabel, yLabel);
    }

    /// <summary>A bar chart with a dashed reference line (1.00x: no faster, no slower).</summary>
    public static void Bars(string path, string title, string yLabel, IReadOnlyList<Bar> bars, double reference)
    {
        var plot = new Plot();
        var drawn = plot.Add.Bars(bars.Select(static b => b.Value).ToArray());
        foreach (var (bar, i) in drawn.Bars.Select((b, i) => (b, i)))
        {
            bar.Label = bars[i].Value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + "x";
        }

        drawn.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, bars.Count).Select(static i => (double)i).ToArray(), bars.Select(static b => b.Label).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -20;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 140;
        var line = plot.Add.HorizontalLine(reference);
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = "as fast as sequential";
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsY(0, Math.Max(reference, bars.Count == 0 ? reference : bars.Max(static b => b.Value)) * 1.2);
        Finish(plot, path, title, xLabel: null, yLabel);
    }

    private static void Finish(Plot plot, string path, string title, string? xLabel, string yLabel)
    {
        plot.Title(title);
        if (xLabel is not null)
        {
            plot.XLabel(xLabel);
        }

        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SaveSvg(path, Width, Height);
    }

    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = static v => Math.Pow(10, v).ToString("#,0.###", System.Globalization.CultureInfo.InvariantCulture),
    };
}
