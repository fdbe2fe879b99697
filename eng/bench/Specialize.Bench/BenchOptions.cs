using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Specialize.Bench;

/// <summary>A suite, or one workload of a suite (<c>futures</c>, <c>futures:quicksort</c>).</summary>
internal sealed record BenchFilter(string Suite, string? Workload)
{
    public override string ToString() => Workload is null ? Suite : $"{Suite}:{Workload}";
}

/// <summary>A suite's Markdown section, ready for <c>docs/benchmarks.md</c>.</summary>
internal sealed record SuiteResult(string Suite, string Markdown);

/// <summary>The command line.</summary>
internal sealed class BenchOptions
{
    public const string Usage =
        "usage: Specialize.Bench [SUITE | SUITE:WORKLOAD ...] [--smoke] [--rounds N] [--grid-rows N] [--grid-shape NxDxM ...] [--sites] [--docs PATH | --no-docs] [--charts]";

    public List<BenchFilter> Filters { get; } = [];

    public bool Smoke { get; private set; }

    public int? Rounds { get; private set; }

    public string? DocsPath { get; private set; }

    public bool NoDocs { get; private set; }

    /// <summary>Only this N in the GMM variant grid (the full grid, N = 10k and 150k, takes long).</summary>
    public int? GridRows { get; private set; }

    /// <summary>Only these (N, D, M) problems in the GMM variant grid (<c>--grid-shape 10000x2x128</c>, repeatable).</summary>
    public List<(int N, int D, int M)> GridShapes { get; } = [];

    /// <summary>Measure nothing: redraw every chart from the document's tables.</summary>
    public bool ChartsOnly { get; private set; }

    /// <summary>Print what each future site has learned after its workload.</summary>
    public bool Sites { get; private set; }

    public static bool TryParse(string[] args, [NotNullWhen(true)] out BenchOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = new BenchOptions();
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--charts":
                    options.ChartsOnly = true;
                    break;
                case "--smoke":
                    options.Smoke = true;
                    break;
                case "--sites":
                    options.Sites = true;
                    break;
                case "--no-docs":
                    options.NoDocs = true;
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int rounds) && rounds > 0:
                    options.Rounds = rounds;
                    i++;
                    break;
                case "--grid-rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int gridRows) && gridRows > 0:
                    options.GridRows = gridRows;
                    i++;
                    break;
                case "--grid-shape" when i + 1 < args.Length && TryParseShape(args[i + 1], out var shape):
                    options.GridShapes.Add(shape);
                    i++;
                    break;
                case "--docs" when i + 1 < args.Length:
                    options.DocsPath = Path.GetFullPath(args[++i]);
                    break;
                case "-h" or "--help":
                    error = "Specialize benchmarks.";
                    options = null;
                    return false;
                default:
                    if (arg.StartsWith('-'))
                    {
                        error = $"Unknown or incomplete option '{arg}'.";
                        options = null;
                        return false;
                    }

                    int colon = arg.IndexOf(':');
                    options.Filters.Add(colon < 0 ? new BenchFilter(arg, null) : new BenchFilter(arg[..colon], arg[(colon + 1)..]));
                    break;
            }
        }

        return true;
    }

    private static bool TryParseShape(string text, out (int N, int D, int M) shape)
    {
        shape = default;
        string[] parts = text.Split('x');
        if (parts.Length != 3)
        {
            return false;
        }

        var values = new int[3];
        for (int i = 0; i < 3; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] <= 0)
            {
                return false;
            }
        }

        shape = (values[0], values[1], values[2]);
        return true;
    }

    public bool SelectsSuite(string suite) =>
        Filters.Count == 0 || Filters.Any(f => f.Suite.Equals(suite, StringComparison.OrdinalIgnoreCase));

    public bool SelectsWholeSuite(string suite) =>
        Filters.Count == 0 || Filters.Any(f => f.Suite.Equals(suite, StringComparison.OrdinalIgnoreCase) && f.Workload is null);

    public bool SelectsWorkload(string suite, string workload) =>
        SelectsWholeSuite(suite) || Filters.Any(f => f.Suite.Equals(suite, StringComparison.OrdinalIgnoreCase)
            && string.Equals(f.Workload, workload, StringComparison.OrdinalIgnoreCase));
}
