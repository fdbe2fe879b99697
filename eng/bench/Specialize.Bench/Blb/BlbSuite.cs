using System.Diagnostics;
using System.Globalization;
using System.Text;
using Specialize.Bench.Charts;
using Specialize;

namespace Specialize.Bench.Blb;

/// <summary>The mean of the data: the simplest estimator, as a user writes it.</summary>
[BlbEstimator]
public static partial class MeanEstimator
{
    public static double Estimate(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double value in values)
        {
            sum += value;
        }

        return sum / values.Length;
    }
}

/// <summary>One row of a regression problem: D predictors and a response.</summary>
public readonly record struct Observation(double[] X, double Y);

/// <summary>Least-squares coefficients from the normal equations, as a user writes them.</summary>
[BlbEstimator]
public static partial class LeastSquares
{
    public static double[] Estimate(ReadOnlySpan<Observation> rows, [NoSubsample] int d)
    {
        var xtx = new double[d * d];
        var xty = new double[d];
        foreach (Observation row in rows)
        {
            double[] x = row.X;
            for (int i = 0; i < d; i++)
            {
                xty[i] += x[i] * row.Y;
                for (int j = 0; j < d; j++)
                {
                    xtx[(i * d) + j] += x[i] * x[j];
                }
            }
        }

        return Solve(xtx, xty, d);
    }

    [Pure]
    public static double[] Solve(double[] a, double[] b, int d)
    {
        // Cholesky of the symmetric positive definite normal matrix, then two triangular solves.
        var l = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[(i * d) + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[(i * d) + k] * l[(j * d) + k];
                }

                l[(i * d) + j] = i == j ? Math.Sqrt(sum) : sum / l[(j * d) + j];
            }
        }

        var y = new double[d];
        for (int i = 0; i < d; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[(i * d) + k] * y[k];
            }

            y[i] = sum / l[(i * d) + i];
        }

        var beta = new double[d];
        for (int i = d - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < d; k++)
            {
                sum -= l[(k * d) + i] * beta[k];
            }

            beta[i] = sum / l[(i * d) + i];
        }

        return beta;
    }
}

/// <summary>
/// Bag of Little Bootstraps against a classic bootstrap of the same estimator (100 resamples, C#,
/// parallel over resamples like BLB), and against scipy.stats.bootstrap where it is installed; plus
/// strong scaling of BLB from 1 to all threads.
/// </summary>
internal static class BlbSuite
{
    public const string Name = "blb";

    public static readonly string[] Workloads = ["mean", "least-squares", "scaling"];

    /// <summary>Rounds of the scaling benchmark: each takes under half a second, and on a shared machine the median needs many.</summary>
    private const int ScalingRounds = 41;

    private const int ClassicResamples = 100;

    public static SuiteResult Run(BenchOptions options, Func<string, bool> selects)
    {
        int n = options.Smoke ? 20_000 : 1_000_000;
        var random = new Random(17);
        double[] values = Enumerable.Range(0, n).Select(_ => Normal(random)).ToArray();
        var text = new StringBuilder();
        text.AppendLine("## Bag of Little Bootstraps (`[BlbEstimator]`)");
        text.AppendLine();
        text.AppendLine($"Reproduce: `eng/bench.sh blb` (or `dotnet run --project eng/bench/Specialize.Bench -c Release -- blb`). {MachineInfo.Describe()} BLB: 25 subsamples of b = n^0.7 rows, 100 resamples each, the generated weighted estimator; classic: {ClassicResamples} resamples of all n rows, parallel over resamples; the mean also on the first 10,000 and 100,000 rows, for the chart of time against n. Medians of 3 runs; strong scaling: {ScalingRounds} rounds, each timing 1 thread and then all threads; the judged figure is the median of the per-round ratios (each pairs two runs taken moments apart, so that load that drifts over the rounds cancels), with the ratio of the median times and of the fastest runs (the least disturbed by other load) beside it, and, in the same rounds, the ceiling of the same code and a machine reference.");
        text.AppendLine();
        text.AppendLine("| workload | n | BLB ms | BLB standard error | baseline | baseline ms | baseline standard error | ratio | target |");
        text.AppendLine("|---|---:|---:|---:|---|---:|---:|---:|---|");

        string firstRun = string.Empty;
        if (selects("mean"))
        {
            // The process's first run, compilation included, is what a program that runs BLB once waits for.
            long first = Stopwatch.GetTimestamp();
            MeanEstimator.Run(values, new BlbOptions { Seed = 1 });
            double firstMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds;
            Console.WriteLine($"blb mean: the process's first run (compilation included) {firstMs:F1} ms");
            firstRun = string.Create(CultureInfo.InvariantCulture, $" The process's first BLB run of the mean, compilation included, took {firstMs:F1} ms.");
            double blbMs = Median(() => MeanEstimator.Run(values, new BlbOptions { Seed = 1 }), out BlbResult blb);
            double classicMs = Median(() => Classic(values, v => MeanEstimator.Estimate(v)), out double classicSe);
            Row(text, "mean", n, blbMs, blb.StandardError, "classic bootstrap, C#", classicMs, classicSe, 10);
            if (Scipy(values) is { } scipy)
            {
                Row(text, "mean", n, blbMs, blb.StandardError, $"scipy.stats.bootstrap {scipy.Version}", scipy.Milliseconds, scipy.StandardError, null);
            }

            // The first rows of the data at smaller sizes: how both methods' time grows with n (the chart's other points).
            foreach (int size in options.Smoke ? [] : (int[])[10_000, 100_000])
            {
                double[] part = values[..size];
                double partBlbMs = Median(() => MeanEstimator.Run(part, new BlbOptions { Seed = 1 }), out BlbResult partBlb);
                double partClassicMs = Median(() => Classic(part, v => MeanEstimator.Estimate(v)), out double partClassicSe);
                Row(text, "mean", size, partBlbMs, partBlb.StandardError, "classic bootstrap, C#", partClassicMs, partClassicSe, null);
            }
        }

        if (selects("least-squares"))
        {
            int rows = options.Smoke ? 20_000 : 1_000_000;
            const int d = 10;
            Observation[] data = Regression(rows, d, new Random(5));
            double blbMs = Median(() => LeastSquares.Run(data, d, new BlbOptions { Seed = 1 }), out BlbVectorResult blb);
            double classicMs = Median(() => ClassicVector(data, r => LeastSquares.Estimate(r, d)), out double[] classicSe);
            Row(text, $"least squares, d = {d} (SE of coefficient 1)", rows, blbMs, blb.StandardError[1], "classic bootstrap, C#", classicMs, classicSe[1], 20);
        }

        if (selects("scaling"))
        {
            ScalingRun run = Scaling(values, options.Rounds ?? (options.Smoke ? 3 : ScalingRounds));
            bool identical = Identical(run.OneResult, run.AllResult);
            int threads = run.AllResult.Threads;
            double one = run.One, all = run.All;
            Console.WriteLine($"blb scaling: 1 thread {one:F1} ms, {threads} threads {all:F1} ms, median per-round ratio {run.Ratio:F2}x; {run.Spread} (identical result: {identical})");
            Console.WriteLine($"blb scaling, ceiling of the same code (independent 1-thread runs, one per thread at once): {threads} runs {run.CeilingAll:F1} ms against 1 run {run.CeilingOne:F1} ms, ratio {threads * run.CeilingOne / run.CeilingAll:F2}x; {run.CeilingSpread}");
            Console.WriteLine($"blb scaling, machine reference (independent dot products, no shared data): 1 thread {run.ReferenceOne:F1} ms, {threads} threads {run.ReferenceAll:F1} ms, ratio {run.ReferenceOne / run.ReferenceAll:F2}x; {run.ReferenceSpread}");
            string goal = run.Ratio >= 1.9 ? "1.90x (met)" : "1.90x (**missed**)";
            text.AppendLine(CultureInfo.InvariantCulture, $"| mean, strong scaling: median of the per-round ratios (identical result: {identical}; {run.Spread}) | {n} | {all:F1} | {run.AllResult.StandardError:G4} | BLB on 1 thread | {one:F1} | {run.OneResult.StandardError:G4} | {run.Ratio:F2}x | {goal} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| ceiling of the same code for the scaling row: {threads} independent 1-thread BLB runs at once, one per thread, nothing shared, against 1 such run, in the same rounds ({run.CeilingSpread}) | — | {run.CeilingAll:F1} | — | 1 run ({threads}x the work in the same time would be {threads}.00x) | {run.CeilingOne:F1} | — | {threads * run.CeilingOne / run.CeilingAll:F2}x | |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| machine reference for the scaling row: {Environment.ProcessorCount} independent loops of dot products over per-thread, cache-resident buffers, in the same rounds ({run.ReferenceSpread}) | — | {run.ReferenceAll:F1} | — | the same loops on 1 thread | {run.ReferenceOne:F1} | — | {run.ReferenceOne / run.ReferenceAll:F2}x | |");
        }

        if (firstRun.Length > 0)
        {
            text.AppendLine();
            text.AppendLine(firstRun.Trim());
        }

        text.AppendLine();
        text.Append(BenchmarkCharts.Links(Name));
        return new SuiteResult(Name, text.ToString());
    }

    private static void Row(StringBuilder text, string workload, int n, double blbMs, double blbSe, string baseline, double baselineMs, double baselineSe, double? target)
    {
        double ratio = baselineMs / blbMs;
        string goal = target is double t ? string.Create(CultureInfo.InvariantCulture, $"{t:F0}x ({(ratio >= t ? "met" : "**missed**")})") : string.Empty;
        Console.WriteLine($"blb {workload}: BLB {blbMs:F1} ms (SE {blbSe:G4}), {baseline} {baselineMs:F1} ms (SE {baselineSe:G4}), ratio {ratio:F2}x");
        text.AppendLine(CultureInfo.InvariantCulture, $"| {workload} | {n} | {blbMs:F1} | {blbSe:G4} | {baseline} | {baselineMs:F1} | {baselineSe:G4} | {ratio:F2}x | {goal} |");
    }

    /// <summary>The medians of the scaling rounds, the ceiling of the same code and the machine reference, with their spreads.</summary>
    private sealed record ScalingRun(
        double One,
        double All,
        double Ratio,
        BlbResult OneResult,
        BlbResult AllResult,
        string Spread,
        double CeilingOne,
        double CeilingAll,
        string CeilingSpread,
        double ReferenceOne,
        double ReferenceAll,
        string ReferenceSpread);

    /// <summary>
    /// BLB of the mean on 1 thread and on all threads, two warm-up runs each, then rounds that alternate the two, so
    /// that drifting load from other processes falls on both sides alike. Medians of the rounds, and the spread of
    /// the per-round ratios; in the same rounds, the ceiling of the same code and the machine reference.
    /// </summary>
    private static ScalingRun Scaling(double[] values, int rounds)
    {
        // The machine's own ceiling, measured in the same rounds: work with nothing shared and nothing to wait for
        // (each thread its own cache-resident buffer). What it loses from 1 to all threads, BLB loses too.
        int parts = Environment.ProcessorCount;
        double[][] buffers = Enumerable.Range(0, parts).Select(p => Enumerable.Range(0, 16_000).Select(i => (i % 97) * 0.01).ToArray()).ToArray();
        double Reference(int threads)
        {
            long begin = Stopwatch.GetTimestamp();
            if (threads == 1)
            {
                for (int p = 0; p < parts; p++)
                {
                    Dots(buffers[p]);
                }
            }
            else
            {
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, p => Dots(buffers[p]));
            }
            return Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        }

        Reference(1);
        Reference(parts);
        var refOne = new double[rounds];
        var refAll = new double[rounds];
        var refRatios = new double[rounds];

        var single = new BlbOptions { Seed = 1, MaxDegreeOfParallelism = 1 };
        var parallel = new BlbOptions { Seed = 1 };
        BlbResult a = MeanEstimator.Run(values, single), b = MeanEstimator.Run(values, parallel);
        a = MeanEstimator.Run(values, single);
        b = MeanEstimator.Run(values, parallel);
        var one = new double[rounds];
        var all = new double[rounds];
        var ratios = new double[rounds];

        // The ceiling for this very code: as many independent 1-thread runs as threads, at the same time, against one
        // such run. Nothing is shared and nothing waited for, so any shortfall from "as many runs in the same time"
        // is the machine's (cores slowing each other, other load), and strong scaling cannot beat it.
        double Concurrent()
        {
            long begin = Stopwatch.GetTimestamp();
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, _ => MeanEstimator.Run(values, single));
            return Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        }

        Concurrent();
        var ceilingOne = new double[rounds];
        var ceilingAll = new double[rounds];
        var ceilingRatios = new double[rounds];
        for (int i = 0; i < rounds; i++)
        {
            long start = Stopwatch.GetTimestamp();
            BlbResult x = MeanEstimator.Run(values, single);
            one[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            BlbResult y = MeanEstimator.Run(values, parallel);
            all[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            ratios[i] = one[i] / all[i];
            if (!Identical(a, x) || !Identical(a, y))
            {
                throw new InvalidOperationException("BLB gave a different result on a repeated run or another thread count.");
            }

            refOne[i] = Reference(1);
            refAll[i] = Reference(parts);
            refRatios[i] = refOne[i] / refAll[i];

            start = Stopwatch.GetTimestamp();
            MeanEstimator.Run(values, single);
            ceilingOne[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            ceilingAll[i] = Concurrent();
            ceilingRatios[i] = parts * ceilingOne[i] / ceilingAll[i];
        }

        Array.Sort(ceilingOne);
        Array.Sort(ceilingAll);
        Array.Sort(ceilingRatios);
        string ceilingSpread = string.Create(CultureInfo.InvariantCulture, $"per-round ratios {ceilingRatios[0]:F2}x to {ceilingRatios[^1]:F2}x, median {ceilingRatios[rounds / 2]:F2}x, ratio of fastest runs {parts * ceilingOne[0] / ceilingAll[0]:F2}x");

        Array.Sort(refOne);
        Array.Sort(refAll);
        Array.Sort(refRatios);
        string refSpread = string.Create(CultureInfo.InvariantCulture, $"per-round ratios {refRatios[0]:F2}x to {refRatios[^1]:F2}x, median {refRatios[rounds / 2]:F2}x, ratio of fastest runs {refOne[0] / refAll[0]:F2}x");

        Array.Sort(one);
        Array.Sort(all);
        Array.Sort(ratios);
        string spread = string.Create(CultureInfo.InvariantCulture, $"{rounds} alternating rounds, per-round ratios {ratios[0]:F2}x to {ratios[^1]:F2}x, ratio of the median times {one[rounds / 2] / all[rounds / 2]:F2}x, ratio of fastest runs {one[0] / all[0]:F2}x");
        return new ScalingRun(one[rounds / 2], all[rounds / 2], ratios[rounds / 2], a, b, spread, ceilingOne[rounds / 2], ceilingAll[rounds / 2], ceilingSpread, refOne[rounds / 2], refAll[rounds / 2], refSpread);
    }

    /// <summary>About 25 ms of dot products over one cache-resident buffer.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static double Dots(double[] buffer)
    {
        double total = 0;
        for (int r = 0; r < 12_000; r++)
        {
            total += System.Numerics.Tensors.TensorPrimitives.Dot<double>(buffer, buffer);
        }
        return total;
    }

    /// <summary>Every number of the two results, bit for bit.</summary>
    private static bool Identical(BlbResult a, BlbResult b) =>
        BitConverter.DoubleToInt64Bits(a.Quality) == BitConverter.DoubleToInt64Bits(b.Quality)
        && BitConverter.DoubleToInt64Bits(a.StandardError) == BitConverter.DoubleToInt64Bits(b.StandardError)
        && BitConverter.DoubleToInt64Bits(a.Estimate) == BitConverter.DoubleToInt64Bits(b.Estimate)
        && BitConverter.DoubleToInt64Bits(a.Lower) == BitConverter.DoubleToInt64Bits(b.Lower)
        && BitConverter.DoubleToInt64Bits(a.Upper) == BitConverter.DoubleToInt64Bits(b.Upper)
        && BitConverter.DoubleToInt64Bits(a.BootstrapMean) == BitConverter.DoubleToInt64Bits(b.BootstrapMean)
        && a.SubsampleQualities.AsSpan().SequenceEqual(b.SubsampleQualities);

    private static double Median<T>(Func<T> run, out T last)
    {
        last = run(); // warm-up
        var times = new double[3];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            last = run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[1];
    }

    private static double Classic(double[] data, Func<double[], double> estimator)
    {
        var estimates = new double[ClassicResamples];
        Parallel.For(0, ClassicResamples, r =>
        {
            var random = new Random(1000 + r);
            var resample = new double[data.Length];
            for (int i = 0; i < resample.Length; i++)
            {
                resample[i] = data[random.Next(data.Length)];
            }

            estimates[r] = estimator(resample);
        });
        return StandardDeviation(estimates);
    }

    private static double[] ClassicVector(Observation[] data, Func<Observation[], double[]> estimator)
    {
        var estimates = new double[ClassicResamples][];
        Parallel.For(0, ClassicResamples, r =>
        {
            var random = new Random(1000 + r);
            var resample = new Observation[data.Length];
            for (int i = 0; i < resample.Length; i++)
            {
                resample[i] = data[random.Next(data.Length)];
            }

            estimates[r] = estimator(resample);
        });
        int d = estimates[0].Length;
        return Enumerable.Range(0, d).Select(j => StandardDeviation(estimates.Select(e => e[j]).ToArray())).ToArray();
    }

    private static double StandardDeviation(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    private static (double Milliseconds, double StandardError, string Version)? Scipy(double[] values)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python))
        {
            return null;
        }

        string folder = Path.Combine(Path.GetTempPath(), "specialize-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using (var writer = new BinaryWriter(File.Create(Path.Combine(folder, "x.bin"))))
            {
                foreach (double v in values)
                {
                    writer.Write(v);
                }
            }

            string script = Path.Combine(folder, "boot.py");
            File.WriteAllText(script, """
                import sys, time
                import numpy as np
                try:
                    import scipy
                    from scipy.stats import bootstrap
                except ImportError:
                    print("NO_SCIPY"); sys.exit(0)
                x = np.fromfile(sys.argv[1] + "/x.bin", dtype="<f8")
                times = []
                for _ in range(3):
                    start = time.perf_counter()
                    res = bootstrap((x,), np.mean, n_resamples=100, vectorized=True, method="percentile", random_state=1)
                    times.append(time.perf_counter() - start)
                times.sort()
                print("RESULT", 1000.0 * times[1], res.standard_error, scipy.__version__)
                """);
            var start = new ProcessStartInfo(python, $"\"{script}\" \"{folder}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
            if (line is null)
            {
                return null;
            }

            string[] parts = line.Split(' ');
            return (double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture), parts[3]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Observation[] Regression(int n, int d, Random random)
    {
        var beta = Enumerable.Range(1, d).Select(i => 1.0 / i).ToArray();
        var rows = new Observation[n];
        for (int i = 0; i < n; i++)
        {
            var x = new double[d];
            x[0] = 1.0;
            double y = beta[0];
            for (int j = 1; j < d; j++)
            {
                x[j] = Normal(random);
                y += beta[j] * x[j];
            }

            rows[i] = new Observation(x, y + Normal(random));
        }

        return rows;
    }

    private static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
