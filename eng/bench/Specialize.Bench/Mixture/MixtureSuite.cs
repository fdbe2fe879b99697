using System.Diagnostics;
using System.Globalization;
using System.Text;
using Specialize.Bench.Charts;
using Specialize.Samples;
using Specialize.Mixture;

namespace Specialize.Bench.Mixture;

/// <summary>
/// Gaussian-mixture EM: Specialize against scikit-learn on the same data and initial parameters in
/// the same run, and a grid of every covariance-kernel variant's time with the selected one marked.
/// </summary>
internal static class MixtureSuite
{
    public const string Name = "gmm";

    public static readonly string[] Workloads = ["sklearn", "grid"];

    private const string Python = "/usr/bin/python3";

    public static SuiteResult Run(BenchOptions options, Func<string, bool> selects)
    {
        var markdown = new StringBuilder();
        markdown.AppendLine("## Gaussian mixtures (`GaussianMixture`, `[GmmTrain]`)");
        markdown.AppendLine();
        markdown.AppendLine($"Reproduce: `eng/bench.sh gmm` (or `dotnet run --project eng/bench/Specialize.Bench -c Release -- gmm`). {MachineInfo.Describe()}");
        markdown.AppendLine();

        if (selects("sklearn"))
        {
            markdown.Append(CompareWithScikitLearn(options));
        }

        if (selects("grid"))
        {
            markdown.Append(VariantGrid(options));
        }

        markdown.Append(BenchmarkCharts.Links(Name));
        return new SuiteResult(Name, markdown.ToString());
    }

    // ---- scikit-learn --------------------------------------------------------------------------

    private static string CompareWithScikitLearn(BenchOptions options)
    {
        int n = options.Smoke ? 10_000 : 150_000;
        const int d = 19, m = 16, iterations = 20;
        double[,] x = Blobs(n, d, m, seed: 11);
        (double[] weights, double[,] means, double[,,] precisions) = InitialParameters(x, m, seed: 5);

        var text = new StringBuilder();
        text.AppendLine($"### EM iteration time against scikit-learn (full covariance, N = {n}, D = {d}, M = {m}, {iterations} iterations from the same initial parameters)");
        text.AppendLine();

        // The same values as float rows: Fit(float[,]) computes in float32 (scikit-learn converts them to float64).
        var single = new float[n, d];
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < d; i++)
            {
                single[r, i] = (float)x[r, i];
            }
        }

        GaussianMixture Fit(bool useFloat)
        {
            var gmm = new GaussianMixture(new GaussianMixtureOptions
            {
                Components = m,
                MaxIterations = iterations,
                Tolerance = 1e-300,
                WeightsInit = weights,
                MeansInit = means,
                PrecisionsInit = precisions,
            });
            return useFloat ? gmm.Fit(single) : gmm.Fit(x);
        }

        (double Ms, GaussianMixture Model, string Variants) Time(bool useFloat)
        {
            Fit(useFloat); // selects and stores the variants for this shape
            var times = new List<double>();
            GaussianMixture model = Fit(useFloat);
            for (int i = 0; i < 3; i++)
            {
                long start = Stopwatch.GetTimestamp();
                model = Fit(useFloat);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds / iterations);
            }

            times.Sort();
            string variants = string.Join(", ", model.KernelVariants.Where(p => p.Key != GmmKernels.DeviceKey).Select(p => $"{p.Key} = {p.Value}"));
            Console.WriteLine($"gmm: Specialize {(useFloat ? "float32" : "float64")} {times[times.Count / 2]:F1} ms per iteration ({variants}); lower bound {model.LowerBound:F6}");
            return (times[times.Count / 2], model, variants);
        }

        var (ours, model, variants) = Time(useFloat: false);
        var (oursSingle, modelSingle, variantsSingle) = Time(useFloat: true);

        (double? sklearn, double? sklearnBound, string note) = RunScikitLearn(x, weights, means, precisions, iterations);
        text.AppendLine("| implementation | ms per EM iteration | ratio | lower bound after the last iteration |");
        text.AppendLine("|---|---:|---:|---:|");
        if (sklearn is { } sk)
        {
            Console.WriteLine($"gmm: scikit-learn {sk:F1} ms per iteration; lower bound {sklearnBound:F6}");
            text.AppendLine(CultureInfo.InvariantCulture, $"| scikit-learn {note} | {sk:F1} | 1.00x | {sklearnBound:F6} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| Specialize, float64 ({variants}) | {ours:F1} | {sk / ours:F2}x | {model.LowerBound:F6} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| Specialize, float32 rows computed in float32 ({variantsSingle}) | {oursSingle:F1} | {sk / oursSingle:F2}x | {modelSingle.LowerBound:F6} |");
            text.AppendLine();
            text.AppendLine($"Targets (issue 12, this machine, the same run): at least 15x scikit-learn in double: {(sk / ours >= 15 ? "met" : "**missed**")}; at least 25x from float32 rows: {(sk / oursSingle >= 25 ? "met" : "**missed**")}.");
        }
        else
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| Specialize, float64 ({variants}) | {ours:F1} | | {model.LowerBound:F6} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| Specialize, float32 rows computed in float32 ({variantsSingle}) | {oursSingle:F1} | | {modelSingle.LowerBound:F6} |");
            text.AppendLine();
            text.AppendLine($"scikit-learn was not measured: {note}");
        }

        text.AppendLine();
        return text.ToString();
    }

    private static (double? MillisecondsPerIteration, double? LowerBound, string Note) RunScikitLearn(double[,] x, double[] weights, double[,] means, double[,,] precisions, int iterations)
    {
        if (!File.Exists(Python))
        {
            return (null, null, $"{Python} is not installed (apt-get install python3-sklearn).");
        }

        string folder = Path.Combine(Path.GetTempPath(), "specialize-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            WriteDoubles(Path.Combine(folder, "x.bin"), x.Cast<double>());
            WriteDoubles(Path.Combine(folder, "weights.bin"), weights);
            WriteDoubles(Path.Combine(folder, "means.bin"), means.Cast<double>());
            WriteDoubles(Path.Combine(folder, "precisions.bin"), precisions.Cast<double>());
            string script = Path.Combine(folder, "fit.py");
            File.WriteAllText(script, $$"""
                import sys, time, warnings
                import numpy as np
                try:
                    import sklearn
                    from sklearn.mixture import GaussianMixture
                except ImportError:
                    print("NO_SKLEARN"); sys.exit(0)
                n, d, m, iterations = {{x.GetLength(0)}}, {{x.GetLength(1)}}, {{weights.Length}}, {{iterations}}
                f = lambda name, shape: np.fromfile(sys.argv[1] + "/" + name, dtype="<f8").reshape(shape)
                x = f("x.bin", (n, d)); w = f("weights.bin", (m,)); mu = f("means.bin", (m, d)); p = f("precisions.bin", (m, d, d))
                warnings.simplefilter("ignore")
                best = None
                for _ in range(3):
                    gm = GaussianMixture(n_components=m, covariance_type="full", tol=0.0, max_iter=iterations,
                                         weights_init=w, means_init=mu, precisions_init=p)
                    start = time.perf_counter(); gm.fit(x); elapsed = time.perf_counter() - start
                    best = elapsed if best is None else min(best, elapsed)
                print("RESULT", 1000.0 * best / iterations, gm.lower_bound_, sklearn.__version__, np.__version__)
                """);
            var start = new ProcessStartInfo(Python, $"\"{script}\" \"{folder}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (output.Contains("NO_SKLEARN", StringComparison.Ordinal))
            {
                return (null, null, $"{Python} has no scikit-learn (apt-get install python3-sklearn).");
            }

            string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
            if (line is null)
            {
                return (null, null, "the scikit-learn run failed: " + error.Trim().Split('\n').LastOrDefault());
            }

            string[] parts = line.Split(' ');
            return (double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture), $"{parts[3]} (numpy {parts[4]}, best of 3)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // ---- the variant grid ----------------------------------------------------------------------

    /// <summary>Iterations of the fit that selects the variants: a short real fit, long enough for a race on the real calls to finish.</summary>
    private const int SelectionIterations = 10;

    /// <summary>Iterations of each timed fit in the grid.</summary>
    private const int GridIterations = 2;

    private static string VariantGrid(BenchOptions options)
    {
        int[] dimensions = options.Smoke ? [2, 8] : [2, 8, 19, 36];
        int[] components = options.Smoke ? [1, 5] : [1, 5, 16, 64, 128];
        int[] sizes = options.Smoke ? [2_000] : options.GridRows is int rows ? [rows] : [10_000, 150_000];
        List<(int N, int D, int M)> shapes = options.GridShapes.Count > 0
            ? options.GridShapes
            : [.. sizes.SelectMany(n => dimensions.SelectMany(d => components.Select(m => (n, d, m))))];
        int rounds = options.Rounds ?? 2;
        // The processor's float64 variants (the GPU ones run in eng/gpu-check, the float32 ones on float rows).
        IReadOnlyList<string> variants = GmmKernels.Covariance.Names.Where(v => !v.StartsWith("ILGPU-", StringComparison.Ordinal) && !v.EndsWith("-F32", StringComparison.Ordinal)).ToList();

        var text = new StringBuilder();
        text.AppendLine("### Covariance-kernel variants");
        text.AppendLine();
        if (options.GridShapes.Count > 0)
        {
            text.AppendLine("Reduced grid: the problems named by `--grid-shape` only.");
            text.AppendLine();
        }
        else if (options.GridRows is int only)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Reduced grid: N = {only} only (`--grid-rows {only}`); the full grid adds N = 150000.");
            text.AppendLine();
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Milliseconds per EM iteration (fits of {GridIterations} iterations from fixed initial parameters, full covariance; fastest of {rounds} rounds after a warm-up round, the configurations interleaved in each round) with each covariance variant forced, and with the variant the runtime selected: each problem starts from an empty tuning file, a first fit of {SelectionIterations} iterations selects as a user's first fit does, and the later fits run the remembered choice. **Bold** is the selected variant. *selected / best* is the selected configuration's time over the fastest forced variant's (1.00x: selection found the best; noise makes either side vary by a few percent); *gain over V1* compares it with always using V1, the paper's baseline; *selection cost* is how much longer the first fit took than a later fit of the same {SelectionIterations} iterations, in iterations of the selected variant.");
        text.AppendLine();
        text.AppendLine("| N | D | M | " + string.Join(" | ", variants) + " | selected | ms | best | selected / best | gain over V1 | selection cost |");
        text.AppendLine("|---:|---:|---:|" + string.Concat(Enumerable.Repeat("---:|", variants.Count)) + "---|---:|---|---:|---:|---:|");

        var gains = new List<double>();
        var losses = new List<double>();
        ConsoleProgress.Run($"gmm grid: {shapes.Count} problems", shapes.Count, steps =>
        {
            foreach (var (n, d, m) in shapes)
            {
                GridRow row = MeasureRow(n, d, m, variants, rounds);
                gains.Add(row.Times["V1"] / row.SelectedMs);
                losses.Add(row.SelectedMs / row.Times[row.Best]);
                steps.Done($"gmm grid: N={n} D={d} M={m}: " + string.Join(" ", row.Times.Select(r => $"{r.Key}={r.Value:F1}"))
                    + $" selected={row.Selected} ({row.SelectedMs:F1}) best={row.Best} selected/best={losses[^1]:F2}x gain={gains[^1]:F2}x selection-cost={row.SelectionCostIterations:F1} it");
                string cells = string.Join(" | ", variants.Select(v => v == row.Selected
                    ? string.Create(CultureInfo.InvariantCulture, $"**{row.Times[v]:F1}**")
                    : string.Create(CultureInfo.InvariantCulture, $"{row.Times[v]:F1}")));
                text.AppendLine(CultureInfo.InvariantCulture, $"| {n} | {d} | {m} | {cells} | {row.Selected} | {row.SelectedMs:F1} | {row.Best} | {losses[^1]:F2}x | {gains[^1]:F2}x | {row.SelectionCostIterations:F1} |");
            }

            return 0;
        });

        double meanGain = gains.Count == 0 ? 1 : Math.Exp(gains.Average(Math.Log));
        double meanLoss = losses.Count == 0 ? 1 : Math.Exp(losses.Average(Math.Log));
        Console.WriteLine($"gmm grid: geometric means: gain over V1 {meanGain:F2}x, selected / best {meanLoss:F2}x, selected / best at most {(losses.Count == 0 ? 1 : losses.Max()):F2}x");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Geometric-mean gain of selection over always-V1 across the grid: **{meanGain:F2}x** (the paper reports +32% on GPUs). Selected over best: geometric mean {meanLoss:F2}x, worst {(losses.Count == 0 ? 1 : losses.Max()):F2}x.");
        text.AppendLine();

        return text.ToString();
    }

    private sealed record GridRow(Dictionary<string, double> Times, string Selected, double SelectedMs, string Best, double SelectionCostIterations);

    /// <summary>
    /// One problem of the grid. Every configuration of the row shares one fresh tuning file, so the
    /// forced variants run the E-step kernel the selection chose and differ only in the covariance kernel.
    /// </summary>
    private static GridRow MeasureRow(int n, int d, int m, IReadOnlyList<string> variants, int rounds)
    {
        double[,] x = Blobs(n, d, Math.Min(m, 8), seed: d * 131 + m);
        (double[] w, double[,] mu, double[,,] p) = InitialParameters(x, m, seed: 3);
        string folder = Path.Combine(Path.GetTempPath(), "specialize-grid-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var store = new Specialize.Variants.TuningStore(Path.Combine(folder, "tuning.json"));
            GaussianMixtureOptions Options(string? variant, int iterations) => new()
            {
                Components = m,
                MaxIterations = iterations,
                Tolerance = 1e-300,
                WeightsInit = w,
                MeansInit = mu,
                PrecisionsInit = p,
                Variant = variant,
                TuningStore = store,
            };

            double Fit(GaussianMixtureOptions o, out string chosen)
            {
                long start = Stopwatch.GetTimestamp();
                GaussianMixture model = new GaussianMixture(o).Fit(x);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                chosen = model.KernelVariants.TryGetValue(GmmKernels.CovarianceKernelName, out string? v) ? v : "?";
                return ms;
            }

            // What a user's first fit on this problem pays, against a later fit of the same length.
            double first = Fit(Options(null, SelectionIterations), out string selected);
            double later = Fit(Options(null, SelectionIterations), out string remembered);
            if (remembered != selected)
            {
                throw new InvalidOperationException($"The first fit selected {selected} but a later fit ran {remembered}.");
            }

            // The configurations take turns in each round (the order reversed every other round), so
            // that drift in the machine's speed reaches all of them alike; the first round warms up.
            string?[] configurations = [.. variants, null];
            var best = new double[configurations.Length];
            Array.Fill(best, double.PositiveInfinity);
            for (int round = 0; round <= rounds; round++)
            {
                for (int j = 0; j < configurations.Length; j++)
                {
                    int c = round % 2 == 0 ? j : configurations.Length - 1 - j;
                    double ms = Fit(Options(configurations[c], GridIterations), out string ran) / GridIterations;
                    if (configurations[c] is null && ran != selected)
                    {
                        throw new InvalidOperationException($"The first fit selected {selected} but a later fit ran {ran}.");
                    }

                    if (round > 0)
                    {
                        best[c] = Math.Min(best[c], ms);
                    }
                }
            }

            var times = new Dictionary<string, double>();
            for (int c = 0; c < variants.Count; c++)
            {
                times[variants[c]] = best[c];
            }

            double selectedMs = best[^1];
            string fastest = times.MinBy(t => t.Value).Key;
            double perIteration = later / SelectionIterations;
            return new GridRow(times, selected, selectedMs, fastest, (first - later) / perIteration);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // ---- data ----------------------------------------------------------------------------------

    private static double[,] Blobs(int n, int d, int clusters, int seed)
    {
        var random = new Random(seed);
        var centers = new double[clusters, d];
        for (int c = 0; c < clusters; c++)
        {
            for (int j = 0; j < d; j++)
            {
                centers[c, j] = (random.NextDouble() * 20) - 10;
            }
        }

        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            int c = i % clusters;
            for (int j = 0; j < d; j++)
            {
                double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
                x[i, j] = centers[c, j] + (Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
        }

        return x;
    }

    /// <summary>Equal weights, means at random rows, identity precisions: the same start for every implementation.</summary>
    private static (double[] Weights, double[,] Means, double[,,] Precisions) InitialParameters(double[,] x, int m, int seed)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var random = new Random(seed);
        var weights = Enumerable.Repeat(1.0 / m, m).ToArray();
        var means = new double[m, d];
        var precisions = new double[m, d, d];
        for (int k = 0; k < m; k++)
        {
            int row = random.Next(n);
            for (int j = 0; j < d; j++)
            {
                means[k, j] = x[row, j];
                precisions[k, j, j] = 1.0;
            }
        }

        return (weights, means, precisions);
    }

    /// <summary>Writes <paramref name="values"/> as little-endian doubles, for the scikit-learn scripts to read with numpy.</summary>
    internal static void WriteDoubles(string path, IEnumerable<double> values)
    {
        using var writer = new BinaryWriter(File.Create(path));
        foreach (double value in values)
        {
            writer.Write(value);
        }
    }
}
