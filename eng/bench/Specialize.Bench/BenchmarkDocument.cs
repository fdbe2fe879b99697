using System.Text;

namespace Specialize.Bench;

/// <summary>
/// <c>docs/benchmarks.md</c>: each suite owns the text between <c>&lt;!-- name:begin --&gt;</c> and
/// <c>&lt;!-- name:end --&gt;</c> and rewrites only that, so suites can be measured one at a time.
/// </summary>
internal static class BenchmarkDocument
{
    private const string Title = "# Benchmarks\n\nMeasured with `eng/bench.sh` (all suites) or `eng/bench.sh SUITE`. "
        + "Each section below is rewritten only by its own suite.\n";

    public static void WriteSection(string path, string suite, string content)
    {
        string begin = $"<!-- {suite}:begin -->";
        string end = $"<!-- {suite}:end -->";
        string block = begin + "\n" + content.Replace("\r\n", "\n").TrimEnd('\n') + "\n" + end;
        string text = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n") : Title;

        int from = text.IndexOf(begin, StringComparison.Ordinal);
        int to = from < 0 ? -1 : text.IndexOf(end, from, StringComparison.Ordinal);
        string updated;
        if (from >= 0 && to > from)
        {
            updated = text[..from] + block + text[(to + end.Length)..];
        }
        else
        {
            updated = text.TrimEnd('\n') + "\n\n" + block + "\n";
        }

        // Write beside the file and move it into place, so an interrupted run never leaves half a file.
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, updated, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The repository's <c>docs/benchmarks.md</c>, found from the current folder upwards.</summary>
    public static string? FindDefault()
    {
        for (DirectoryInfo? folder = new(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Specialize.sln")))
            {
                return Path.Combine(folder.FullName, "docs", "benchmarks.md");
            }
        }

        return null;
    }
}
