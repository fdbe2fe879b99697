using System.Diagnostics;
using System.Globalization;
using System.Text;
using Specialize.Mixture;
using Specialize.Variants;

namespace Specialize.GpuCheck;

/// <summary>
/// The covariance-variant grid on the device (float64, full covariance): for each (N, D, M), milliseconds per EM
/// iteration with each GPU covariance variant forced, and with the variant the runtime selects on a first fit
/// from an empty tuning file (timed on a later fit, as a user's later fits run); selected / best and the gain
/// over always-V1. A forced variant slower than the cap is stopped after one iteration. The grid stops when the
/// time budget is spent; the problems left are listed as not measured.
/// </summary>
internal static class Grid
{
    private static readonly string[] Variants = ["ILGPU-V1", "ILGPU-V2", "ILGPU-V3", "ILGPU-V4-B32", "ILGPU-V4-B128", "ILGPU-Tiled-Shared"];

    internal static string Run(CheckOptions options, Stopwatch started)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Covariance-variant grid on {options.Device} (float64, full covariance; ms per EM iteration; forced variants stopped after one iteration over {options.CapMilliseconds:F0} ms)");
        text.AppendLine();
        text.AppendLine("| N | D | M | " + string.Join(" | ", Variants.Select(static v => v["ILGPU-".Length..])) + " | selected | ms | best | selected / best | gain over V1 |");
        text.AppendLine("|---:|---:|---:|" + string.Concat(Variants.Select(static _ => "---:|")) + "---|---:|---|---:|---:|");
        var gains = new List<double>();
        var ratios = new List<double>();
        var skipped = new List<string>();
        string folder = Path.Combine(Path.GetTempPath(), "specialize-gpu-check-tuning-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        int problem = 0;
        foreach (int n in options.GridN)
        {
            foreach (int d in options.GridD)
            {
                foreach (int m in options.GridM)
                {
                    if (started.Elapsed.TotalSeconds > options.BudgetSeconds)
                    {
                        skipped.Add($"{n} x {d} x {m}");
                        continue;
                    }

                    var x = Problems.Blobs(n, d, m, seed: n + d + m);
                    var start = Problems.Start(x, m);
                    var data = GmmData.FromMatrix(x);
                    var times = new Dictionary<string, double>(StringComparer.Ordinal);
                    foreach (string variant in Variants)
                    {
                        GaussianMixture Fit(IProgress<GmmProgress>? progress, CancellationToken token) =>
                            new GaussianMixture(Problems.Options(m, 3, start, options.Device, variant)).Fit(data, progress, token);
                        var (first, _) = Problems.TimeIterations(Fit, options.CapMilliseconds); // compiles, uploads
                        if (first.Count > 0 && first[^1] > options.CapMilliseconds)
                        {
                            times[variant] = double.PositiveInfinity;
                            continue;
                        }

                        var (measured, _) = Problems.TimeIterations(Fit, options.CapMilliseconds);
                        times[variant] = measured.Count < 3 ? double.PositiveInfinity : Problems.Steady(measured);
                    }

                    var store = new TuningStore(Path.Combine(folder, $"tuning-{problem++}.json"));
                    GaussianMixture Selected(IProgress<GmmProgress>? progress, CancellationToken token) =>
                        new GaussianMixture(Problems.Options(m, 3, start, options.Device, store: store)).Fit(data, progress, token);
                    Selected(null, default); // the first fit selects and remembers
                    var (selectedTimes, model) = Problems.TimeIterations(Selected, double.PositiveInfinity);
                    double selected = Problems.Steady(selectedTimes);
                    string chosen = model!.KernelVariants.TryGetValue(GmmKernels.CovarianceKernelName, out string? v) ? v : "?";
                    var best = times.MinBy(static p => p.Value);
                    double ratio = selected / best.Value, gain = times["ILGPU-V1"] / selected;
                    ratios.Add(ratio);
                    if (double.IsFinite(gain))
                    {
                        gains.Add(gain);
                    }

                    string Cell(string variant) => double.IsPositiveInfinity(times[variant]) ? $"> {options.CapMilliseconds:F0}" : (variant == chosen ? $"**{times[variant]:F3}**" : $"{times[variant]:F3}");
                    string row = $"| {n} | {d} | {m} | {string.Join(" | ", Variants.Select(Cell))} | {chosen} | {selected:F3} | {best.Key["ILGPU-".Length..]} | {ratio:F2}x | {(double.IsFinite(gain) ? $"{gain:F2}x" : "> cap")} |";
                    text.AppendLine(row);
                    Console.WriteLine(row);
                }
            }
        }

        text.AppendLine();
        if (ratios.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Selected against the fastest forced variant: geometric mean {GeometricMean(ratios):F2}x, worst {ratios.Max():F2}x (target: within 1.1x). Gain of selection over always-V1: geometric mean {GeometricMean(gains):F2}x (target: at least 1.3x; the paper: 1.32x).");
        }

        if (skipped.Count > 0)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Not measured (the {options.BudgetSeconds:F0} s budget was spent): {string.Join(", ", skipped)}.");
        }

        text.AppendLine();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }

        return text.ToString();
    }

    private static double GeometricMean(List<double> values) =>
        values.Count == 0 ? double.NaN : Math.Exp(values.Where(static v => v > 0 && double.IsFinite(v)).Average(Math.Log));
}
