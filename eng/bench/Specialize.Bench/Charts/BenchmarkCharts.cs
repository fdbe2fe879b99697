using System.Globalization;
using System.Text.RegularExpressions;

namespace Specialize.Bench.Charts;

/// <summary>
/// The charts of <c>docs/benchmarks.md</c>, drawn from the tables of each suite's section and written beside the
/// document. A suite's run redraws its charts after writing its section; <c>--charts</c> redraws every chart from the
/// document alone, without measuring. A table that gains rows (another device, another size) gains points: each
/// chart takes any number of series.
/// </summary>
internal static partial class BenchmarkCharts
{
    /// <summary>The chart files of each suite, by suite name.</summary>
    private static readonly Dictionary<string, (string File, string Alt)[]> Files = new(StringComparer.OrdinalIgnoreCase)
    {
        ["futures"] = [("futures-speedup.svg", "speed-up of futures over the sequential run, per workload")],
        ["gmm"] = [("gmm-iteration-time.svg", "ms per EM iteration against N, per device and scikit-learn"), ("gmm-variants.svg", "covariance-variant time against D")],
        ["blb"] = [("blb-time.svg", "BLB and bootstrap time against n")],
    };

    /// <summary>The markdown a suite puts at the end of its section: its charts, and how they are made.</summary>
    public static string Links(string suite)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("Charts of the tables above, drawn with ScottPlot by the same command (`eng/bench.sh --charts` redraws every chart from this file alone):");
        text.AppendLine();
        foreach (var (file, alt) in Files[suite])
        {
            text.AppendLine($"![{alt}]({file})");
            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>Draws the charts of one suite from its section of the document; returns the files written.</summary>
    public static IReadOnlyList<string> Draw(string documentPath, string suite)
    {
        string document = File.ReadAllText(documentPath);
        string begin = $"<!-- {suite}:begin -->", end = $"<!-- {suite}:end -->";
        int from = document.IndexOf(begin, StringComparison.Ordinal);
        int to = from < 0 ? -1 : document.IndexOf(end, from, StringComparison.Ordinal);
        if (to < 0 || !Files.ContainsKey(suite))
        {
            return [];
        }

        IReadOnlyList<MarkdownTable> tables = MarkdownTable.Parse(document[from..to]);
        string folder = Path.GetDirectoryName(Path.GetFullPath(documentPath))!;
        string Target(int i) => Path.Combine(folder, Files[suite][i].File);
        var written = new List<string>();
        switch (suite.ToLowerInvariant())
        {
            case "futures":
                if (FuturesSpeedups(tables) is { Count: > 0 } bars)
                {
                    ChartFile.Bars(Target(0), "Futures: speed-up over the sequential run (futures off / on)", "off / on", bars, reference: 1.0);
                    written.Add(Target(0));
                }

                break;
            case "gmm":
                if (GmmIterationTime(tables, out string shape) is { Count: > 0 } timeSeries)
                {
                    ChartFile.Lines(Target(0), $"GMM EM iteration time against N ({shape})", "N (samples)", "ms per EM iteration", timeSeries, logX: true, logY: true);
                    written.Add(Target(0));
                }

                if (GmmVariants(tables, out string variantShape) is { Count: > 0 } variantSeries)
                {
                    ChartFile.Lines(Target(1), $"Covariance variants: ms per EM iteration against D ({variantShape})", "D (dimensions)", "ms per EM iteration", variantSeries, logX: false, logY: true);
                    written.Add(Target(1));
                }

                break;
            case "blb":
                if (BlbTime(tables) is { Count: > 0 } blbSeries)
                {
                    ChartFile.Lines(Target(0), "Bag of Little Bootstraps and the bootstrap: time against n", "n (rows)", "ms per run", blbSeries, logX: true, logY: true);
                    written.Add(Target(0));
                }

                break;
        }

        return written;
    }

    /// <summary>Every suite's charts from the document alone.</summary>
    public static IReadOnlyList<string> DrawAll(string documentPath) =>
        Files.Keys.SelectMany(suite => Draw(documentPath, suite)).ToList();

    /// <summary>One bar per workload of the futures tables (steady state and first run): its off/on ratio.</summary>
    private static List<Bar> FuturesSpeedups(IReadOnlyList<MarkdownTable> tables)
    {
        var bars = new List<Bar>();
        foreach (MarkdownTable table in tables)
        {
            int workload = table.Column("workload"), ratio = table.Column("off/on");
            if (workload < 0 || ratio < 0)
            {
                continue;
            }

            foreach (IReadOnlyList<string> row in table.Rows)
            {
                if (MarkdownTable.Number(row[ratio]) is double value)
                {
                    bars.Add(new Bar(row[workload], value));
                }
            }
        }

        return bars;
    }

    /// <summary>
    /// Milliseconds per EM iteration against N on the scikit-learn comparison's problem (D and M from its heading):
    /// scikit-learn from that table, Specialize from the variant grid's selected configuration at every N it measured,
    /// one series per device (a <c>device</c> column names it; without one, the CPU).
    /// </summary>
    private static List<Series> GmmIterationTime(IReadOnlyList<MarkdownTable> tables, out string shape)
    {
        var series = new Dictionary<string, List<(double X, double Y)>>(StringComparer.Ordinal);
        void Add(string name, double x, double y) => (series.TryGetValue(name, out var points) ? points : series[name] = []).Add((x, y));

        MarkdownTable? comparison = tables.FirstOrDefault(t => t.Column("implementation") >= 0 && t.Column("ms per EM iteration") >= 0);
        int d = comparison is null ? 19 : HeadingValue(comparison.Heading, "D") ?? 19;
        int m = comparison is null ? 16 : HeadingValue(comparison.Heading, "M") ?? 16;
        shape = $"full covariance, D = {d}, M = {m}";
        if (comparison is not null)
        {
            int implementation = comparison.Column("implementation"), ms = comparison.Column("ms per EM iteration"), nColumn = comparison.Column("N");
            foreach (IReadOnlyList<string> row in comparison.Rows)
            {
                double? n = nColumn >= 0 ? MarkdownTable.Number(row[nColumn]) : HeadingValue(comparison.Heading, "N");
                if (n is double x && MarkdownTable.Number(row[ms]) is double y && row[implementation].StartsWith("scikit-learn", StringComparison.Ordinal))
                {
                    Add("scikit-learn", x, y);
                }
            }
        }

        MarkdownTable? grid = tables.FirstOrDefault(static t => t.Column("V1") >= 0 && t.Column("selected") >= 0);
        if (grid is not null)
        {
            int nc = grid.Column("N"), dc = grid.Column("D"), mc = grid.Column("M"), device = grid.Column("device");
            int selectedMs = grid.Header.ToList().FindIndex(static h => h == "ms");
            foreach (IReadOnlyList<string> row in grid.Rows)
            {
                if (MarkdownTable.Number(row[dc]) == d && MarkdownTable.Number(row[mc]) == m
                    && MarkdownTable.Number(row[nc]) is double x && MarkdownTable.Number(row[selectedMs]) is double y)
                {
                    Add("Specialize, " + (device >= 0 ? row[device] : "CPU"), x, y);
                }
            }
        }

        return series.Select(static p => new Series(p.Key, p.Value)).ToList();
    }

    /// <summary>The variant grid at its largest N and M = 16 (or its largest M): each forced variant's time against D.</summary>
    private static List<Series> GmmVariants(IReadOnlyList<MarkdownTable> tables, out string shape)
    {
        shape = string.Empty;
        MarkdownTable? grid = tables.FirstOrDefault(static t => t.Column("V1") >= 0 && t.Column("selected") >= 0);
        if (grid is null || grid.Rows.Count == 0)
        {
            return [];
        }

        int nc = grid.Column("N"), dc = grid.Column("D"), mc = grid.Column("M"), first = grid.Column("V1"), selected = grid.Column("selected");
        double n = grid.Rows.Max(r => MarkdownTable.Number(r[nc]) ?? 0);
        var ms = grid.Rows.Select(r => MarkdownTable.Number(r[mc]) ?? 0).Distinct().ToList();
        double m = ms.Contains(16) ? 16 : ms.Max();
        shape = string.Create(CultureInfo.InvariantCulture, $"N = {n:0}, M = {m:0}");
        var rows = grid.Rows.Where(r => MarkdownTable.Number(r[nc]) == n && MarkdownTable.Number(r[mc]) == m).ToList();
        return Enumerable.Range(first, selected - first)
            .Select(c => new Series(grid.Header[c], rows
                .Where(r => MarkdownTable.Number(r[c]) is > 0)
                .Select(r => (MarkdownTable.Number(r[dc])!.Value, MarkdownTable.Number(r[c])!.Value)).ToList()))
            .ToList();
    }

    /// <summary>
    /// BLB's time and each baseline's against n, one series per estimator and method; rows without a size (the
    /// scaling rows compare threads, not sizes) are left out.
    /// </summary>
    private static List<Series> BlbTime(IReadOnlyList<MarkdownTable> tables)
    {
        var series = new Dictionary<string, List<(double X, double Y)>>(StringComparer.Ordinal);
        void Add(string name, double x, double y)
        {
            List<(double X, double Y)> points = series.TryGetValue(name, out var existing) ? existing : series[name] = [];
            if (!points.Any(p => p.X == x))
            {
                points.Add((x, y));
            }
        }

        foreach (MarkdownTable table in tables.Where(static t => t.Column("BLB ms") >= 0 && t.Column("n") >= 0))
        {
            int workload = table.Column("workload"), n = table.Column("n"), blb = table.Column("BLB ms"), baseline = table.Column("baseline"), baselineMs = table.Column("baseline ms");
            foreach (IReadOnlyList<string> row in table.Rows)
            {
                if (MarkdownTable.Number(row[n]) is not double x || row[workload].Contains("scaling", StringComparison.Ordinal))
                {
                    continue;
                }

                string estimator = row[workload].Split(" (", 2)[0];
                if (MarkdownTable.Number(row[blb]) is double y)
                {
                    Add($"BLB, {estimator}", x, y);
                }

                if (MarkdownTable.Number(row[baselineMs]) is double b)
                {
                    Add($"{BaselineName().Replace(row[baseline], string.Empty)}, {estimator}", x, b);
                }
            }
        }

        return series.Select(static p => new Series(p.Key, p.Value)).ToList();
    }

    /// <summary>A number named in a heading, as in "N = 150000, D = 19".</summary>
    private static int? HeadingValue(string heading, string name)
    {
        Match match = Regex.Match(heading, $@"\b{name} = ([0-9]+)");
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>A version number after a baseline's name ("scipy.stats.bootstrap 1.10.1").</summary>
    [GeneratedRegex(@" [0-9][0-9.]*$")]
    private static partial Regex BaselineName();
}
