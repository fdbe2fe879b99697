using System.Diagnostics;
using Specialize.Mixture;

namespace Specialize.GpuCheck;

/// <summary>Synthetic problems, their fixed initial parameters, and EM timing from progress reports.</summary>
internal static class Problems
{
    /// <summary>N rows around M centres in [-10, 10]^D, unit spread, fixed seed.</summary>
    internal static double[,] Blobs(int n, int d, int m, int seed)
    {
        var random = new Random(seed);
        var centres = new double[m, d];
        for (int k = 0; k < m; k++)
        {
            for (int i = 0; i < d; i++)
            {
                centres[k, i] = (random.NextDouble() * 20) - 10;
            }
        }

        var x = new double[n, d];
        for (int r = 0; r < n; r++)
        {
            int k = r % m;
            for (int i = 0; i < d; i++)
            {
                double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
                x[r, i] = centres[k, i] + (Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
            }
        }

        return x;
    }

    /// <summary>Even weights, means at rows spread over the data, identity precisions: the same start for every implementation.</summary>
    internal static (double[] Weights, double[,] Means, double[,,] Precisions) Start(double[,] x, int m)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var weights = Enumerable.Repeat(1.0 / m, m).ToArray();
        var means = new double[m, d];
        var precisions = new double[m, d, d];
        for (int k = 0; k < m; k++)
        {
            int row = (int)((long)k * n / m) + (k % Math.Max(1, n / m));
            for (int i = 0; i < d; i++)
            {
                means[k, i] = x[Math.Min(row, n - 1), i];
                precisions[k, i, i] = 1;
            }
        }

        return (weights, means, precisions);
    }

    internal static GaussianMixtureOptions Options(int m, int iterations, (double[] W, double[,] Mu, double[,,] P) start, string device, string? variant = null, ComputePrecision precision = ComputePrecision.Auto, Specialize.Variants.TuningStore? store = null) => new()
    {
        Components = m,
        MaxIterations = iterations,
        Tolerance = 0, // run every iteration
        WeightsInit = start.W,
        MeansInit = start.Mu,
        PrecisionsInit = start.P,
        Device = device,
        Variant = variant,
        Precision = precision,
        TuningStore = store,
    };

    /// <summary>
    /// Milliseconds of each EM iteration of a fit (from the progress reports; the first includes the fit's start),
    /// stopping after an iteration slower than <paramref name="capMilliseconds"/>.
    /// </summary>
    internal static (List<double> Times, GaussianMixture? Model) TimeIterations(Func<IProgress<GmmProgress>, CancellationToken, GaussianMixture> fit, double capMilliseconds)
    {
        var times = new List<double>();
        using var cancel = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        double last = 0;
        var progress = new Reporter(_ =>
        {
            double now = clock.Elapsed.TotalMilliseconds;
            times.Add(now - last);
            last = now;
            if (times[^1] > capMilliseconds)
            {
                cancel.Cancel();
            }
        });
        try
        {
            return (times, fit(progress, cancel.Token));
        }
        catch (OperationCanceledException)
        {
            return (times, null);
        }
    }

    /// <summary>The median of the iterations after the first (which carries the fit's start-up), or the first when it is alone.</summary>
    internal static double Steady(List<double> times)
    {
        var rest = times.Count > 1 ? times.Skip(1).OrderBy(static t => t).ToList() : times;
        return rest.Count == 0 ? double.NaN : rest[rest.Count / 2];
    }

    /// <summary>Writes doubles as raw little-endian float64, the form the Python scripts read with numpy.fromfile.</summary>
    internal static void WriteRaw(string path, Array values)
    {
        using var writer = new BinaryWriter(File.Create(path));
        foreach (double v in values)
        {
            writer.Write(v);
        }
    }

    private sealed class Reporter(Action<GmmProgress> report) : IProgress<GmmProgress>
    {
        public void Report(GmmProgress value) => report(value);
    }
}
