using System.Diagnostics;

namespace Specialize.GpuCheck;

/// <summary>The peers' Python scripts (scikit-learn, PyTorch): each prints <c>RESULT</c> lines, or <c>SKIPPED</c> with why.</summary>
internal static class Peers
{
    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/>; returns its output and a note: its SKIPPED lines, or why it failed.</summary>
    internal static (string Output, string Note) Run(CheckOptions options, string script, params string[] args)
    {
        var info = new ProcessStartInfo(options.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(options.Scripts, script));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["PYTHONUNBUFFERED"] = "1";
        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Console.Write(output);
            string err = error.Result.Trim();
            string skipped = string.Join(" ", output.Split('\n').Where(static l => l.StartsWith("SKIPPED", StringComparison.Ordinal)));
            return (output, process.ExitCode == 0 ? skipped : $"exit {process.ExitCode}: {(err.Length <= 400 ? err : err[^400..])}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (string.Empty, $"{options.Python} could not be started ({ex.Message}).");
        }
    }

    /// <summary>The fields of each <c>RESULT</c> line of <paramref name="output"/> that has <paramref name="fields"/> of them (the word RESULT included).</summary>
    internal static IEnumerable<string[]> Results(string output, int fields) =>
        output.Split('\n').Select(static line => line.Trim().Split(' ')).Where(f => f.Length == fields && f[0] == "RESULT");
}
