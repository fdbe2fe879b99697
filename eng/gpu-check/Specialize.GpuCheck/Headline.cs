using System.Globalization;
using System.Text;
using Specialize.Mixture;

namespace Specialize.GpuCheck;

/// <summary>
/// The headline problem (full covariance, N = 150000, D = 19, M = 16) from the same initial parameters: the device
/// in float32 and float64, this machine's processor, scikit-learn on this machine's processor and a PyTorch EM on the
/// same GPU, each in milliseconds per EM iteration.
/// </summary>
internal static class Headline
{
    private const int D = 19, M = 16;

    internal static string Run(CheckOptions options)
    {
        int n = options.HeadlineN, iterations = options.Iterations;
        var x = Problems.Blobs(n, D, M, seed: 11);
        var start = Problems.Start(x, M);
        string work = Path.Combine(Path.GetTempPath(), "specialize-gpu-check-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        Problems.WriteRaw(Path.Combine(work, "x.bin"), x);
        Problems.WriteRaw(Path.Combine(work, "weights.bin"), start.Weights);
        Problems.WriteRaw(Path.Combine(work, "means.bin"), start.Means);
        Problems.WriteRaw(Path.Combine(work, "precisions.bin"), start.Precisions);

        var single = new float[n, D];
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < D; i++)
            {
                single[r, i] = (float)x[r, i];
            }
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Headline: full covariance, N = {n}, D = {D}, M = {M}, {iterations} EM iterations from the same initial parameters");
        text.AppendLine();
        text.AppendLine("| implementation | where | precision | ms per EM iteration | against scikit-learn | lower bound after the last iteration | variants |");
        text.AppendLine("|---|---|---|---:|---:|---:|---|");
        var rows = new List<(string Name, string Where, string Precision, double Ms, double Bound, string Variants)>();
        var doubles = GmmData.FromMatrix(x);
        var floats = GmmData.FromMatrix(single);
        foreach (var (device, count) in new[] { (options.Device, iterations), ("cpu", Math.Min(iterations, 5)) })
        {
            foreach (var (data, name) in new[] { (doubles, "float64"), (floats, "float32") })
            {
                GaussianMixture Fit(IProgress<GmmProgress>? progress, CancellationToken token) =>
                    new GaussianMixture(Problems.Options(M, count, start, device)).Fit(data, progress, token);
                Fit(null, default); // compiles the kernels, selects the variants, makes the data resident
                var (times, model) = Problems.TimeIterations(Fit, double.PositiveInfinity);
                string variants = string.Join(", ", model!.KernelVariants.Where(static p => p.Key != GmmKernels.DeviceKey).Select(static p => $"{p.Key} = {p.Value}"));
                rows.Add(("Specialize", model.Device, model.ComputeType, Problems.Steady(times), model.LowerBound, variants));
                Console.WriteLine($"headline: {model.Device} {model.ComputeType}: {Problems.Steady(times):F2} ms per iteration");
            }
        }

        var peers = new List<string>();
        foreach (string script in new[] { "sklearn_em.py", "torch_em.py" })
        {
            var (results, note) = RunScript(options, script, work, n, iterations);
            rows.AddRange(results);
            if (note.Length > 0)
            {
                peers.Add($"{script}: {note}");
            }
        }

        double? sklearn = rows.FirstOrDefault(static r => r.Name.StartsWith("scikit-learn", StringComparison.Ordinal)).Ms is var s && s > 0 ? s : null;
        foreach (var r in rows)
        {
            string ratio = sklearn is { } sk ? $"{sk / r.Ms:F1}x" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {r.Where} | {r.Precision} | {r.Ms:F3} | {ratio} | {r.Bound:F6} | {r.Variants} |");
        }

        text.AppendLine();
        double Ours(string precision) => rows.Where(r => r.Name == "Specialize" && r.Where != "cpu" && r.Precision == precision).Select(static r => r.Ms).DefaultIfEmpty(double.NaN).First();
        double Torch(string precision) => rows.Where(r => r.Name.StartsWith("PyTorch", StringComparison.Ordinal) && r.Precision == precision).Select(static r => r.Ms).DefaultIfEmpty(double.NaN).First();
        double f32 = Ours("float32"), f64 = Ours("float64");
        text.AppendLine(CultureInfo.InvariantCulture, $"Targets (issue 12, H200): float32 at most 1 ms per iteration: {Verdict(f32 <= 1)} ({f32:F3} ms); float64 at most 2 ms: {Verdict(f64 <= 2)} ({f64:F3} ms); faster than the PyTorch EM on the same GPU: float32 {Verdict(f32 < Torch("float32"))}, float64 {Verdict(f64 < Torch("float64"))}.");
        foreach (string note in peers)
        {
            text.AppendLine().AppendLine(note);
        }

        text.AppendLine();
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }

        return text.ToString();
    }

    private static string Verdict(bool met) => met ? "met" : "**missed**";

    /// <summary>Runs a peer's script on the written problem; it prints <c>RESULT name where precision ms bound</c> lines.</summary>
    private static (List<(string, string, string, double, double, string)> Rows, string Note) RunScript(CheckOptions options, string script, string work, int n, int iterations)
    {
        var (output, note) = Peers.Run(options, script, work, n.ToString(CultureInfo.InvariantCulture), D.ToString(CultureInfo.InvariantCulture), M.ToString(CultureInfo.InvariantCulture), iterations.ToString(CultureInfo.InvariantCulture));
        var rows = new List<(string, string, string, double, double, string)>();
        foreach (string[] f in Peers.Results(output, 6))
        {
            // RESULT <name with underscores> <where> <precision> <ms> <bound>
            rows.Add((f[1].Replace('_', ' '), f[2], f[3], double.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[5], CultureInfo.InvariantCulture), ""));
        }

        return (rows, note);
    }
}
