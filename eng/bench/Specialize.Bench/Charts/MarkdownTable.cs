using System.Globalization;

namespace Specialize.Bench.Charts;

/// <summary>
/// A table of <c>docs/benchmarks.md</c> as the suites write it: the heading above it, its header cells and its rows.
/// The charts are drawn from these tables, so that a chart always shows the numbers printed beside it.
/// </summary>
internal sealed record MarkdownTable(string Heading, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>The index of the first header cell that starts with <paramref name="name"/>, or -1.</summary>
    public int Column(string name) =>
        Header.ToList().FindIndex(h => h.StartsWith(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The number in a cell (bold, thousands separators and a trailing <c>x</c> are ignored), or null.</summary>
    public static double? Number(string cell)
    {
        string text = cell.Replace("**", string.Empty, StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal).Trim().TrimEnd('x');
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;
    }

    /// <summary>The tables in a piece of markdown, each with the nearest heading above it.</summary>
    public static IReadOnlyList<MarkdownTable> Parse(string markdown)
    {
        var tables = new List<MarkdownTable>();
        string heading = string.Empty;
        string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#'))
            {
                heading = lines[i].TrimStart('#').Trim();
                continue;
            }

            if (!lines[i].StartsWith('|') || i + 1 >= lines.Length || !lines[i + 1].StartsWith("|---", StringComparison.Ordinal))
            {
                continue;
            }

            IReadOnlyList<string> header = Cells(lines[i]);
            var rows = new List<IReadOnlyList<string>>();
            for (i += 2; i < lines.Length && lines[i].StartsWith('|'); i++)
            {
                rows.Add(Cells(lines[i]));
            }

            tables.Add(new MarkdownTable(heading, header, rows));
        }

        return tables;
    }

    private static string[] Cells(string line) =>
        line.Trim().Trim('|').Split('|').Select(static c => c.Trim()).ToArray();
}
