using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Blb;

/// <summary>The generated Run entry point, end to end through the runtime.</summary>
public sealed class GeneratedRunTests
{
    private const string Driver = """
        using System;
        using Specialize;

        namespace Demo;

        public static class Driver
        {
            // Standard normal values by Box-Muller from a fixed seed; returns { BLB standard error, sigma / sqrt(n) }.
            public static double[] StandardErrorOfTheMean(int n)
            {
                var random = new Random(7);
                var values = new double[n];
                for (int i = 0; i < n; i++)
                {
                    double u = 1.0 - random.NextDouble();
                    double v = random.NextDouble();
                    values[i] = 3.0 * Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
                }

                BlbResult result = Mean.Run(values, new BlbOptions { Seed = 42 });
                return new[] { result.StandardError, 3.0 / Math.Sqrt(n), result.Quality, result.Estimate, result.Lower, result.Upper };
            }

            public static string EmptyData()
            {
                try
                {
                    Mean.Run(ReadOnlySpan<double>.Empty);
                    return "no exception";
                }
                catch (ArgumentException e)
                {
                    return e.ParamName ?? "null";
                }
            }

            public static string LengthsDiffer()
            {
                try
                {
                    Ratio.Run(new double[] { 1, 2, 3 }, new double[] { 1, 2 });
                    return "no exception";
                }
                catch (ArgumentException e)
                {
                    return e.ParamName ?? "null";
                }
            }

            public static string NaNInData()
            {
                try
                {
                    Ratio.Run(new double[] { 1, 2, 3 }, new double[] { 1, double.NaN, 2 });
                    return "no exception";
                }
                catch (ArgumentException e)
                {
                    return e.ParamName ?? "null";
                }
            }

            public static int[] AttributeDefaults()
            {
                var emails = new Email[400];
                for (int i = 0; i < emails.Length; i++)
                {
                    emails[i] = new Email(i % 13, i % 5, i % 3);
                }

                BlbResult result = ErrorRate.Run(emails, new[] { new Model(0, 1, 0), new Model(2, 0, 1) });
                return new[] { result.Subsamples, result.Bootstraps[0], result.SubsampleSize };
            }

            public static double[] VectorRun()
            {
                var points = new Point[1000];
                for (int i = 0; i < points.Length; i++)
                {
                    points[i] = new Point(i % 10, (i * 7) % 4);
                }

                BlbVectorResult result = Centroid.Run(points, new BlbOptions { Subsamples = 5, Bootstraps = 20 });
                return new[] { (double)result.Dimension, result.Estimate[0], result.Estimate[1], result.StandardError[0] };
            }

            // The generated Run (batched bootstraps) against the runtime given EstimateWeighted alone, on 1, 2 and 3
            // threads, both layouts; every number of every result as bits, in order.
            public static long[] BatchedAgainstPerBootstrap(bool adaptive)
            {
                var random = new Random(3);
                var rows = new Observation[3000];
                for (int i = 0; i < rows.Length; i++)
                {
                    double a = random.NextDouble() * 4 - 2, c = random.NextDouble();
                    rows[i] = new Observation(new[] { 1, a, c }, 1 + (0.5 * a) - (2 * c) + random.NextDouble());
                }

                var bits = new System.Collections.Generic.List<long>();
                foreach (BlbDataLayout layout in new[] { BlbDataLayout.LoadIn, BlbDataLayout.Indirection })
                {
                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        var options = new BlbOptions { Subsamples = 5, Bootstraps = 150, Seed = 9, MaxDegreeOfParallelism = threads, DataLayout = layout, Adaptive = adaptive, AdaptiveTolerance = 0.05 };
                        BlbVectorResult batched = LeastSquares.Run(rows, 3, options);
                        BlbVectorResult single = BlbRuntime.RunVector(
                            rows.Length, 16, rows, static (sample, state) => LeastSquares.EstimateWeighted(sample, state, 3), null, null, options, null, default);
                        foreach (BlbVectorResult result in new[] { batched, single })
                        {
                            bits.Add(result.Subsamples);
                            foreach (int used in result.Bootstraps)
                            {
                                bits.Add(used);
                            }

                            foreach (double[] values in new[] { result.StandardError, result.Lower, result.Upper, result.BootstrapMean, result.Quality })
                            {
                                foreach (double value in values)
                                {
                                    bits.Add(BitConverter.DoubleToInt64Bits(value));
                                }
                            }
                        }
                    }
                }

                return bits.ToArray();
            }
        }
        """;

    private static readonly Lazy<GeneratorRun> Run = new(() => GeneratorHarness.Run(
        [BlbEstimatorSources.Mean, BlbEstimatorSources.Ratio, BlbEstimatorSources.ErrorRate, BlbEstimatorSources.Centroid, BlbEstimatorSources.LeastSquares, Driver]));

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // bootstraps computed a batch ahead of the stopping rule, the unused ones left out
    public void Batched_run_is_bitwise_the_per_bootstrap_run_for_every_thread_count_and_layout(bool adaptive)
    {
        var bits = (long[])Run.Value.Invoke("Demo.Driver", "BatchedAgainstPerBootstrap", adaptive)!;
        int perResult = bits.Length / 12;
        for (int run = 0; run < 12; run++)
        {
            Assert.Equal(bits.AsSpan(0, perResult).ToArray(), bits.AsSpan(run * perResult, perResult).ToArray());
        }

        // Subsamples used, then the bootstraps used by each of them, then 15 numbers of the result.
        int subsamples = (int)bits[0];
        long[] bootstraps = bits.AsSpan(1, subsamples).ToArray();
        Assert.Equal(1 + subsamples + 15, perResult);
        if (adaptive)
        {
            // The rule stops early, and not only at a batch boundary.
            Assert.All(bootstraps, used => Assert.InRange(used, 2, 149));
            Assert.Contains(bootstraps, used => used % 16 != 0);
        }
        else
        {
            Assert.Equal(5, subsamples);
            Assert.All(bootstraps, used => Assert.Equal(150, used));
        }

        Assert.Contains(bits.AsSpan(1 + subsamples).ToArray(), b => b != 0);
    }

    [Fact]
    public void String_literals_that_span_lines_keep_their_values_in_the_generated_body()
    {
        // The estimator returns the mean only where every string equals its escaped oracle in Texts, -1 otherwise.
        GeneratorRun run = GeneratorHarness.Run(
            [BlbEstimatorSources.MultiLineStrings,
            """
            using Specialize;

            namespace Demo;

            public static class StringsDriver
            {
                // Rows 1, 2, 3, 4 with weights 1, 2, 0, 1 (n = 4); then a whole run, whose Estimate is the full-data pass.
                public static double[] Estimates()
                {
                    var values = new double[] { 1, 2, 3, 4 };
                    double weighted = MultiLineStrings.EstimateWeighted(BlbSample.Create(4, new[] { 0, 1, 2, 3 }, new[] { 1, 2, 0, 1 }), values);
                    BlbResult result = MultiLineStrings.Run(values, new BlbOptions { Subsamples = 2, Bootstraps = 3, Gamma = 1 });
                    // The batched form: two bootstraps, weights row by row (1, 2, 0, 1 and 0, 1, 2, 1).
                    var batch = new double[2];
                    MultiLineStrings.EstimateWeightedBatch(BlbSample.Create(4, new[] { 0, 1, 2, 3 }, new[] { 1, 2, 0, 1 }), new[] { 1, 0, 2, 1, 0, 2, 1, 1 }, 2, values, batch);
                    return new[] { MultiLineStrings.Estimate(values), weighted, result.Estimate, result.BootstrapMean, batch[0], batch[1] };
                }
            }
            """]);
        var estimates = (double[])run.Invoke("Demo.StringsDriver", "Estimates")!;
        Assert.Equal(2.5, estimates[0]); // the user's own method: the oracle strings match as written
        Assert.Equal((1 + 4 + 4) / 4.0, estimates[1]);
        Assert.Equal(2.5, estimates[2]);
        Assert.True(estimates[3] > 0, $"bootstrap mean {estimates[3]}");
        Assert.Equal((1 + 4 + 4) / 4.0, estimates[4]); // the batched form's per-bootstrap suffix keeps the strings too
        Assert.Equal((2 + 6 + 4) / 4.0, estimates[5]);
    }

    [Fact]
    public void Standard_error_of_the_mean_of_a_million_normal_values_is_within_3_percent_of_sigma_over_root_n()
    {
        var values = (double[])Run.Value.Invoke("Demo.Driver", "StandardErrorOfTheMean", 1_000_000)!;
        Assert.InRange(values[0] / values[1], 0.97, 1.03);
        Assert.Equal(values[0], values[2]);
        Assert.True(values[4] < values[3] && values[3] < values[5]);
    }

    [Fact]
    public void Empty_data_is_an_argument_exception_naming_the_parameter() =>
        Assert.Equal("values", Run.Value.Invoke("Demo.Driver", "EmptyData"));

    [Fact]
    public void Co_iterated_inputs_of_different_length_name_the_second_parameter() =>
        Assert.Equal("denominator", Run.Value.Invoke("Demo.Driver", "LengthsDiffer"));

    [Fact]
    public void NaN_in_floating_point_data_names_the_parameter() =>
        Assert.Equal("denominator", Run.Value.Invoke("Demo.Driver", "NaNInData"));

    [Fact]
    public void Attribute_values_are_the_defaults_when_no_options_are_given()
    {
        var values = (int[])Run.Value.Invoke("Demo.Driver", "AttributeDefaults")!;
        Assert.Equal(10, values[0]);
        Assert.Equal(50, values[1]);
        Assert.Equal((int)Math.Ceiling(Math.Pow(400, 0.6)), values[2]);
    }

    [Fact]
    public void Vector_estimator_reduces_per_coordinate()
    {
        var values = (double[])Run.Value.Invoke("Demo.Driver", "VectorRun")!;
        Assert.Equal(2, values[0]);
        Assert.Equal(4.5, values[1], 12);
        Assert.Equal(1.5, values[2], 12);
        Assert.True(values[3] > 0);
    }
}
