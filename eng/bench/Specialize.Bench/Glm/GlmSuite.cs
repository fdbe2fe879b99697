using System.Diagnostics;
using System.Globalization;
using System.Text;
using Specialize.Bench.Cluster;
using Specialize.Glm;

namespace Specialize.Bench.Glm;

/// <summary>
/// Logistic regression (<see cref="LogisticRegression"/>) at n = 1e6, d = 50: against scikit-learn's
/// <c>LogisticRegression(solver="newton-cholesky")</c> on the same rows in the same run (<c>sklearn</c>), and one
/// process with 2 threads against <c>mpiexec.mpich -n 2</c> with 1 thread per rank (<c>cluster</c>, through the cluster
/// suite's child processes). docs/glm.md turns the bytes per fit into the cost model.
/// </summary>
internal static class GlmSuite
{
    public const string Name = "glm";

    public static readonly string[] Workloads = ["sklearn", "cluster"];

    private const string Python = "/usr/bin/python3";

    public static SuiteResult Run(BenchOptions options, Func<string, bool> selects)
    {
        int n = options.Smoke ? 100_000 : 1_000_000, d = options.Smoke ? 20 : 50;
        var markdown = new StringBuilder();
        markdown.AppendLine("## Logistic regression (`Specialize.Glm`)");
        markdown.AppendLine();
        markdown.AppendLine(
            $"Reproduce: `eng/bench.sh glm` (or `dotnet run --project eng/bench/Specialize.Bench -c Release -- glm`). {MachineInfo.Describe()} " +
            $"Rows: n = {n:N0}, d = {d}, correlated Gaussian features, labels from a known linear model; C = 1, tolerance 1e-8 on both sides. " +
            "This machine's 2 cores are shared with other work: the load average is printed with each measurement, and times swing with it.");
        markdown.AppendLine();
        if (selects("sklearn"))
        {
            markdown.Append(AgainstScikitLearn(n, d, options.Smoke));
        }

        if (selects("cluster"))
        {
            markdown.Append(AgainstRanks(options));
        }

        return new SuiteResult(Name, markdown.ToString());
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static string AgainstScikitLearn(int n, int d, bool smoke)
    {
        (double[,] x, int[] y) = GlmSample.SyntheticRows.Make(n, d, 3);
        var options = new LogisticRegressionOptions { C = 1, Tolerance = 1e-8 };

        // Warm-up (compilation) on a prefix, then the median of 3 fits.
        var prefix = new double[Math.Min(n, 50_000), d];
        Array.Copy(x, prefix, prefix.Length);
        new LogisticRegression(options).Fit(prefix, y[..prefix.GetLength(0)]);
        var times = new double[3];
        LogisticRegression model = null!;
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            model = new LogisticRegression(options).Fit(x, y);
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(times);
        double ours = times[1];
        string oursLoad = Load();
        Console.WriteLine($"glm: Specialize {ours:F2} s (fits {string.Join(", ", times.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))}), {model.Iterations} iterations, load {oursLoad}");

        var text = new StringBuilder();
        text.AppendLine("| implementation | fit s | iterations | speed-up | load average | largest coefficient difference, relative to the largest |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        var sk = RunScikitLearn(x, y, smoke);
        if (sk.Seconds is double skSeconds)
        {
            double[] ourCoefficients = [.. model.Coefficients, model.Intercept];
            double largest = sk.Coefficients.Max(Math.Abs);
            double difference = ourCoefficients.Zip(sk.Coefficients, (a, b) => Math.Abs(a - b)).Max() / largest;
            Console.WriteLine($"glm: scikit-learn {skSeconds:F2} s, {sk.Iterations} iterations; coefficients differ by {difference:E1} relative");
            text.AppendLine(CultureInfo.InvariantCulture, $"| scikit-learn {sk.Note} | {skSeconds:F2} | {sk.Iterations} | 1.00x | {sk.Load} | |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| Specialize (median of 3; {string.Join(", ", times.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))}) | {ours:F2} | {model.Iterations} | {skSeconds / ours:F2}x | {oursLoad} | {difference:E1} |");
            text.AppendLine();
            text.AppendLine($"Target (issue 15, this machine, the same run): at least 2x scikit-learn's newton-cholesky: {(skSeconds / ours >= 2 ? "met" : "**missed**")}.");
        }
        else
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| Specialize (median of 3) | {ours:F2} | {model.Iterations} | | {oursLoad} | |");
            text.AppendLine();
            text.AppendLine($"scikit-learn was not measured: {sk.Note}");
        }

        text.AppendLine();
        return text.ToString();
    }

    private static (double? Seconds, int Iterations, double[] Coefficients, string Note, string Load) RunScikitLearn(double[,] x, int[] y, bool smoke)
    {
        if (!File.Exists(Python))
        {
            return (null, 0, [], $"{Python} is not installed (apt-get install python3-sklearn).", string.Empty);
        }

        string folder = Path.Combine(Path.GetTempPath(), "specialize-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            Mixture.MixtureSuite.WriteDoubles(Path.Combine(folder, "x.bin"), x.Cast<double>());
            Mixture.MixtureSuite.WriteDoubles(Path.Combine(folder, "y.bin"), y.Select(static v => (double)v));

            string script = Path.Combine(folder, "fit.py");
            File.WriteAllText(script, $$"""
                import sys, time, warnings
                import numpy as np
                try:
                    import sklearn
                    from sklearn.linear_model import LogisticRegression
                except ImportError:
                    print("NO_SKLEARN"); sys.exit(0)
                n, d = {{x.GetLength(0)}}, {{x.GetLength(1)}}
                x = np.fromfile(sys.argv[1] + "/x.bin", dtype="<f8").reshape((n, d))
                y = np.fromfile(sys.argv[1] + "/y.bin", dtype="<f8").astype(int)
                warnings.simplefilter("ignore")
                best = None
                for _ in range({{(smoke ? 2 : 1)}}):
                    model = LogisticRegression(solver="newton-cholesky", C=1.0, tol=1e-8, max_iter=100)
                    start = time.perf_counter(); model.fit(x, y); elapsed = time.perf_counter() - start
                    best = elapsed if best is None else min(best, elapsed)
                print("RESULT", best, int(model.n_iter_[0]), sklearn.__version__, np.__version__)
                print("COEF", " ".join(repr(float(v)) for v in list(model.coef_[0]) + [model.intercept_[0]]))
                """);
            var start = new ProcessStartInfo(Python, $"\"{script}\" \"{folder}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process process = Process.Start(start)!;
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            string load = Load();
            if (output.Contains("NO_SKLEARN", StringComparison.Ordinal))
            {
                return (null, 0, [], $"{Python} has no scikit-learn (apt-get install python3-sklearn).", load);
            }

            string[] lines = output.Split('\n');
            string? result = lines.FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
            string? coefficients = lines.FirstOrDefault(l => l.StartsWith("COEF ", StringComparison.Ordinal));
            if (result is null || coefficients is null)
            {
                return (null, 0, [], "the scikit-learn run failed: " + error.Result.Trim().Split('\n').LastOrDefault(), load);
            }

            string[] parts = result.Split(' ');
            double[] values = coefficients["COEF ".Length..].Trim().Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            string runs = smoke ? "best of 2" : "one fit";
            return (double.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), values, $"{parts[3]} (numpy {parts[4]} on the system's reference BLAS, {runs})", load);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string AgainstRanks(BenchOptions options)
    {
        var text = new StringBuilder();
        string? launcher = ClusterSuite.FindLauncher();
        if (launcher is null)
        {
            text.AppendLine("mpiexec.mpich is not installed (Debian: apt-get install mpich): the comparison over ranks did not run.");
            return text.ToString();
        }

        int rounds = options.Rounds ?? (options.Smoke ? 1 : 5);
        int reps = options.Smoke ? 1 : 3;
        string smoke = options.Smoke ? " --smoke" : string.Empty;
        var ratios = new List<double>();
        var alone = new List<ClusterSuite.Result>();
        var ranks = new List<ClusterSuite.Result>();
        for (int round = 0; round < rounds; round++)
        {
            ClusterSuite.Result a, b;
            if (round % 2 == 0)
            {
                a = ClusterSuite.Worker(null, "glm", reps, smoke, threads: 2);
                b = ClusterSuite.Worker(launcher, "glm", reps, smoke, threads: 1);
            }
            else
            {
                b = ClusterSuite.Worker(launcher, "glm", reps, smoke, threads: 1);
                a = ClusterSuite.Worker(null, "glm", reps, smoke, threads: 2);
            }

            alone.Add(a);
            ranks.Add(b);
            ratios.Add(b.Milliseconds / a.Milliseconds);
            Console.WriteLine($"glm:cluster round {round + 1}: alone {a.Milliseconds:F1} ms, mpiexec -n 2 {b.Milliseconds:F1} ms, ratio {b.Milliseconds / a.Milliseconds:F3}, load {Load()}");
        }

        double ratio = ClusterSuite.Median(ratios);

        // Rounds whose ratios differ by more than 1.5x measured the other load on the cores, not the ranks: no verdict.
        string verdict = ratios.Max() / ratios.Min() > 1.5 ? "not judged: the rounds disagree by more than 1.5x" : ratio - 1 < 0.10 ? "met" : "not met";
        bool same = alone.Concat(ranks).Select(r => r.Check).Distinct().Count() == 1;
        text.AppendLine(
            $"One process with `DOTNET_PROCESSOR_COUNT=2` against `mpiexec.mpich -n 2` with `DOTNET_PROCESSOR_COUNT=1` per rank, as child processes on the same rows " +
            $"(each builds them, fits once to warm up, then times {reps} fits started together on both ranks and reports the median); {rounds} rounds in alternating order; " +
            "the overhead is the median of the per-round ratios minus 1. Bytes and collectives are what rank 0 received and completed per fit.");
        text.AppendLine();
        text.AppendLine("| workload | 1 process, 2 threads ms | mpiexec -n 2, 1 thread each ms | overhead (per-round ratios) | target | bytes per fit | collectives per fit | same coefficients, bit for bit |");
        text.AppendLine("|---|---:|---:|---:|---|---:|---:|---|");
        text.AppendLine(
            $"| fit, n = {(options.Smoke ? "100,000, d = 20" : "1,000,000, d = 50")} | {ClusterSuite.Median(alone.Select(r => r.Milliseconds)):F1} | {ClusterSuite.Median(ranks.Select(r => r.Milliseconds)):F1} | " +
            $"{(ratio - 1) * 100:+0.0;-0.0}% ({(ratios.Min() - 1) * 100:+0.0;-0.0}% to {(ratios.Max() - 1) * 100:+0.0;-0.0}%) | < 10% ({verdict}) | {ranks[0].Bytes:N0} | {ranks[0].Collectives} | {same} |");
        text.AppendLine();
        return text.ToString();
    }
}
