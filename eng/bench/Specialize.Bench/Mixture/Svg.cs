using System.Globalization;
using System.Text;

namespace Specialize.Bench.Mixture;

/// <summary>A small, dependency-free SVG line chart (log-scale y) for the benchmark document.</summary>
internal static class Svg
{
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];

    public static string LineChart(string title, string xLabel, string yLabel, IReadOnlyDictionary<string, List<(int X, double Y)>> series)
    {
        const int width = 720, height = 420, left = 70, right = 160, top = 40, bottom = 50;
        var points = series.Values.SelectMany(s => s).ToList();
        double xMin = points.Min(p => p.X), xMax = points.Max(p => p.X);
        double yMin = Math.Log10(points.Min(p => Math.Max(p.Y, 1e-3))), yMax = Math.Log10(points.Max(p => Math.Max(p.Y, 1e-3)));
        if (yMax - yMin < 1e-9)
        {
            yMax = yMin + 1;
        }

        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        double Px(double x) => left + ((x - xMin) / Math.Max(xMax - xMin, 1) * (width - left - right));
        double Py(double y) => top + ((yMax - Math.Log10(Math.Max(y, 1e-3))) / (yMax - yMin) * (height - top - bottom));

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"black\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"black\"/>");
        foreach (int x in points.Select(p => p.X).Distinct().Order())
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(Px(x))}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\">{x}</text>");
        }

        for (int decade = (int)Math.Floor(yMin); decade <= (int)Math.Ceiling(yMax); decade++)
        {
            double y = Math.Pow(10, decade);
            if (Math.Log10(y) < yMin - 1e-9 || Math.Log10(y) > yMax + 1e-9)
            {
                continue;
            }

            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{F(Py(y))}\" x2=\"{width - right}\" y2=\"{F(Py(y))}\" stroke=\"#ddd\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{F(Py(y) + 4)}\" text-anchor=\"end\">{y.ToString("G3", CultureInfo.InvariantCulture)}</text>");
        }

        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{height - 12}\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{height / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {height / 2})\">{Escape(yLabel)} (log scale)</text>");
        int index = 0;
        foreach (var (name, line) in series)
        {
            string color = Colors[index % Colors.Length];
            string path = string.Join(" ", line.OrderBy(p => p.X).Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"));
            svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{width - right + 10}\" y=\"{top + 10 + (index * 18)}\" fill=\"{color}\">{Escape(name)}</text>");
            index++;
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
