using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Blb;

/// <summary>
/// Generated GPU forms run on ILGPU's CPU accelerator and give the processor's answers: the same weights bit for bit,
/// each bootstrap's sums added in another order (lane by lane), so the standard errors and intervals agree to 1e-12
/// relative. Small runs: the CPU accelerator runs every GPU thread on the processor.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class DeviceRunTests
{
    /// <summary>Runs each estimator on a device and returns what the result says, the device first.</summary>
    private const string Driver = """
        using System;
        using Specialize;

        namespace Demo;

        public static class Driver
        {
            private static BlbOptions Options(string device) => new BlbOptions { Seed = 11, Subsamples = 3, Bootstraps = 20, Gamma = 0.8, Device = device };

            public static double[] Values(int n)
            {
                var values = new double[n];
                for (int i = 0; i < n; i++)
                {
                    values[i] = Math.Sin(i * 0.37) * 3 + (i % 7);
                }

                return values;
            }

            public static object[] Describe(BlbResult result) =>
                new object[] { result.Device, new[] { result.Estimate, result.StandardError, result.Lower, result.Upper, result.BootstrapMean, result.Quality } };

            public static object[] Describe(BlbVectorResult result)
            {
                var numbers = new System.Collections.Generic.List<double>();
                numbers.AddRange(result.Estimate);
                numbers.AddRange(result.StandardError);
                numbers.AddRange(result.Lower);
                numbers.AddRange(result.Upper);
                numbers.AddRange(result.BootstrapMean);
                return new object[] { result.Device, numbers.ToArray() };
            }

            public static object[] Mean(string device) => Describe(global::Demo.Mean.Run(Values(600), Options(device)));

            public static object[] Ratio(string device)
            {
                double[] top = Values(500);
                var bottom = new double[top.Length];
                for (int i = 0; i < bottom.Length; i++)
                {
                    bottom[i] = 2 + Math.Cos(i * 0.11);
                }

                return Describe(global::Demo.Ratio.Run(top, bottom, Options(device)));
            }

            public static object[] Centroid(string device)
            {
                double[] values = Values(400);
                var points = new Point[values.Length];
                for (int i = 0; i < points.Length; i++)
                {
                    points[i] = new Point(values[i], values[(i * 7) % values.Length] - 1);
                }

                return Describe(global::Demo.Centroid.Run(points, Options(device)));
            }

            public static object[] Deconstructed(string device)
            {
                double[] values = Values(300);
                var rows = new (double X, (double Y, int Tag) More)[values.Length];
                var samples = new Sample[values.Length];
                var intervals = new Interval[values.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    rows[i] = (values[i], (i % 5, i % 3));
                    samples[i] = new Sample(values[i] - 2, (i * 5) % 4);
                    intervals[i] = new Interval(values[i], values[i] + (i % 4));
                }

                return Describe(global::Demo.Deconstructed.Run(rows, samples, intervals, Options(device)));
            }

            public static object[] Slope(string device)
            {
                double[] values = Values(700);
                var pairs = new Pair[values.Length];
                for (int i = 0; i < pairs.Length; i++)
                {
                    pairs[i] = new Pair(i * 0.01, (2.5 * i * 0.01) + values[i]);
                }

                return Describe(global::Demo.Slope.Run(pairs, Options(device)));
            }

            public static object[] NormalEquations(string device)
            {
                double[] values = Values(500);
                var rows = new Observation3[values.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    double x0 = 1, x1 = Math.Cos(i * 0.3), x2 = values[(i * 3) % values.Length];
                    rows[i] = new Observation3(x0, x1, x2, 0.5 - (2 * x1) + (0.25 * x2) + (0.1 * values[i]));
                }

                return Describe(global::Demo.NormalEquations.Run(rows, Options(device)));
            }

            public static object[] DeviceFeatures(string device)
            {
                double[] values = Values(450);
                var readings = new Reading[values.Length];
                for (int i = 0; i < readings.Length; i++)
                {
                    readings[i] = new Reading(values[i], i % 6, i % 3 == 0 ? Kind.High : Kind.Low);
                }

                return Describe(global::Demo.DeviceFeatures.Run(readings, new[] { 1.0, 0.5, 2.0 }, new[] { 0.1, -0.2 }, 4, 0.75, Options(device)));
            }
        }
        """;

    [Theory]
    [InlineData("Mean")]
    [InlineData("Ratio")]
    [InlineData("Centroid")]
    [InlineData("Deconstructed")]
    [InlineData("Slope")]
    [InlineData("NormalEquations")]
    [InlineData("DeviceFeatures")]
    public void Gpu_form_on_the_cpu_accelerator_gives_the_processors_standard_errors_and_intervals(string estimator)
    {
        GeneratorRun run = Lowered.Value;

        var onDevice = (object[])run.Invoke("Demo.Driver", estimator, "ilgpu-cpu")!;
        var onProcessor = (object[])run.Invoke("Demo.Driver", estimator, "cpu")!;

        Assert.Equal("ilgpu-cpu", onDevice[0]);
        Assert.Equal("cpu", onProcessor[0]);
        AssertClose((double[])onProcessor[1], (double[])onDevice[1], 1e-12);
    }

    /// <summary>The estimators whose GPU form the tests run, compiled once with the driver (their types do not clash).</summary>
    internal static readonly Lazy<GeneratorRun> Lowered = new(() => GeneratorHarness.Run(new[]
    {
        BlbEstimatorSources.Mean, BlbEstimatorSources.Ratio, BlbEstimatorSources.Centroid, BlbEstimatorSources.Deconstructed,
        BlbEstimatorSources.Slope, BlbEstimatorSources.NormalEquations, BlbEstimatorSources.DeviceFeatures, Driver,
    }));

    private static void AssertClose(double[] expected, double[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(Math.Abs(expected[i]), 1e-300);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"value {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}

/// <summary>Tests that run GPU kernels on ILGPU's CPU accelerator run one at a time: the accelerator is shared by the process.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeviceCollection
{
    public const string Name = "ilgpu";
}
