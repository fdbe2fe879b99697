using System.Diagnostics;
using Specialize;

namespace Specialize.Demo;

/// <summary>The mean of the data, as a user writes it; the generator adds the weighted form and <c>Run</c>.</summary>
[BlbEstimator]
public static partial class MeanOfValues
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

/// <summary>
/// The standard error of a mean over a million values: Bag of Little Bootstraps against a classic
/// bootstrap (100 resamples of every row, parallel over resamples), in the same run, with the
/// analytic answer sigma / sqrt(n) beside them.
/// </summary>
public static class BootstrapDemo
{
    public static void Run()
    {
        const int n = 1_000_000;
        const double sigma = 2.0;
        var random = new Random(7);
        double[] values = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            values[i] = 5.0 + (sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        Console.WriteLine($"Bag of Little Bootstraps: standard error of the mean of {n:N0} normal values (sigma = {sigma})");
        var options = new BlbOptions { Seed = 42 };
        BlbResult blb = MeanOfValues.Run(values, options); // warm up

        // Medians of rounds that alternate the two, so that neither side is favoured by other load on the machine.
        const int rounds = 3;
        var blbTimes = new double[rounds];
        var classicTimes = new double[rounds];
        double classicSe = 0;
        for (int round = 0; round < rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            blb = MeanOfValues.Run(values, options);
            blbTimes[round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

            start = Stopwatch.GetTimestamp();
            classicSe = ClassicStandardError(values, resamples: 100);
            classicTimes[round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(blbTimes);
        Array.Sort(classicTimes);
        double blbMs = blbTimes[rounds / 2];
        double classicMs = classicTimes[rounds / 2];

        Console.WriteLine($"  analytic sigma/sqrt(n)  {sigma / Math.Sqrt(n):E3}");
        Console.WriteLine($"  BLB                     {blb.StandardError:E3}   {blbMs,9:F1} ms   ({blb.Subsamples} subsamples of {blb.SubsampleSize} rows, {blb.Threads} threads, {blb.Layout})");
        Console.WriteLine($"  classic bootstrap       {classicSe:E3}   {classicMs,9:F1} ms   (100 resamples of {n:N0} rows)");
        Console.WriteLine($"  ratio classic / BLB: {classicMs / blbMs:F2}x (medians of {rounds} alternating runs); 95% interval for the mean [{blb.Lower:F5}, {blb.Upper:F5}]");
    }

    /// <summary>The classic bootstrap: resamples of all n rows drawn with replacement, parallel over resamples.</summary>
    private static double ClassicStandardError(double[] values, int resamples)
    {
        int n = values.Length;
        var estimates = new double[resamples];
        Parallel.For(0, estimates.Length, r =>
        {
            var draw = new Random(1000 + r);
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += values[draw.Next(n)];
            }

            estimates[r] = sum / n;
        });
        double mean = estimates.Average();
        return Math.Sqrt(estimates.Sum(e => (e - mean) * (e - mean)) / (estimates.Length - 1));
    }
}
