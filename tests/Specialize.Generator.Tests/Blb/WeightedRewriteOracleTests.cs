using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Blb;

/// <summary>
/// The rewrite oracle: for random integer weights, the generated EstimateWeighted on a weighted subsample
/// equals the user's Estimate on the materialized resample (each subsample row repeated weight times).
/// Data are small integers, so every sum is exact and the comparison can be strict.
/// </summary>
public sealed class WeightedRewriteOracleTests
{
    private const string Oracle = """
        using System;
        using System.Collections.Generic;
        using Specialize;

        namespace Demo;

        public static class Oracle
        {
            // Returns { Estimate on the materialized resample, EstimateWeighted with indirection, with load-in }.
            public static double[] Mean(double[] data, int[] indices, int[] weights)
            {
                double[] resample = Materialize(data, indices, weights);
                return new[]
                {
                    global::Demo.Mean.Estimate(resample),
                    global::Demo.Mean.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.Indirection), data),
                    global::Demo.Mean.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.LoadIn), data),
                };
            }

            public static double[] Ratio(double[] data, int[] indices, int[] weights)
            {
                var denominator = new double[data.Length];
                for (int i = 0; i < data.Length; i++)
                {
                    denominator[i] = 1 + ((data[i] * 7) % 5);
                }

                double[] top = Materialize(data, indices, weights);
                double[] bottom = Materialize(denominator, indices, weights);
                return new[]
                {
                    global::Demo.Ratio.Estimate(top, bottom),
                    global::Demo.Ratio.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.Indirection), data, denominator),
                    global::Demo.Ratio.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.LoadIn), data, denominator),
                };
            }

            public static double[] ErrorRate(double[] data, int[] indices, int[] weights)
            {
                var emails = new Email[data.Length];
                for (int i = 0; i < data.Length; i++)
                {
                    emails[i] = new Email(data[i], (data[i] * 3) % 7, (int)data[i] % 3);
                }

                var models = new[] { new Model(0, 1, 0), new Model(2, 0, 1), new Model(5, -1, 0.5) };
                Email[] resample = Materialize(emails, indices, weights);
                return new[]
                {
                    global::Demo.ErrorRate.Estimate(resample, models),
                    global::Demo.ErrorRate.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.Indirection), emails, models),
                    global::Demo.ErrorRate.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.LoadIn), emails, models),
                };
            }

            public static double[] Residual(double[] data, int[] indices, int[] weights)
            {
                var rows = new double[data.Length][];
                for (int i = 0; i < data.Length; i++)
                {
                    rows[i] = new[] { data[i], (data[i] * 3) % 7, (data[i] * 5) % 11, 1 };
                }

                double[] coefficients = { 0.5, -0.25, 2 };
                double[][] resample = Materialize(rows, indices, weights);
                return new[]
                {
                    global::Demo.Residual.Estimate(resample, coefficients),
                    global::Demo.Residual.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.Indirection), rows, coefficients),
                    global::Demo.Residual.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.LoadIn), rows, coefficients),
                };
            }

            public static double[] Centroid(double[] data, int[] indices, int[] weights)
            {
                var points = new Point[data.Length];
                for (int i = 0; i < data.Length; i++)
                {
                    points[i] = new Point(data[i], (data[i] * 3) % 7);
                }

                Point[] resample = Materialize(points, indices, weights);
                double[] original = global::Demo.Centroid.Estimate(resample);
                double[] indirect = global::Demo.Centroid.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.Indirection), points);
                double[] loadIn = global::Demo.Centroid.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.LoadIn), points);
                return new[] { original[0], indirect[0], loadIn[0], original[1], indirect[1], loadIn[1] };
            }

            public static double[] PairSum(double[] data, int[] indices, int[] weights)
            {
                var pairs = new Pair[data.Length];
                for (int i = 0; i < data.Length; i++)
                {
                    pairs[i] = new Pair((float)data[i], (float)((data[i] * 3) % 7));
                }

                Pair[] resample = Materialize(pairs, indices, weights);
                return new[]
                {
                    global::Demo.PairSum.Estimate(resample),
                    global::Demo.PairSum.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.Indirection), pairs),
                    global::Demo.PairSum.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.LoadIn), pairs),
                };
            }

            public static double[] LeastSquares(double[] data, int[] indices, int[] weights)
            {
                Observation[] rows = Observations(data);
                Observation[] resample = Materialize(rows, indices, weights);
                double[] original = global::Demo.LeastSquares.Estimate(resample, 3);
                double[] indirect = global::Demo.LeastSquares.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.Indirection), rows, 3);
                double[] loadIn = global::Demo.LeastSquares.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.LoadIn), rows, 3);
                var values = new List<double>();
                for (int c = 0; c < 3; c++)
                {
                    values.AddRange(new[] { original[c], indirect[c], loadIn[c] });
                }

                return values.ToArray();
            }

            public static double[] Deconstructed(double[] data, int[] indices, int[] weights)
            {
                (var rows, var samples, var intervals) = DeconstructedRows(data);
                (double X, (double Y, int Tag) More)[] rowsResample = Materialize(rows, indices, weights);
                return new[]
                {
                    global::Demo.Deconstructed.Estimate(rowsResample, Materialize(samples, indices, weights), Materialize(intervals, indices, weights)),
                    global::Demo.Deconstructed.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.Indirection), rows, samples, intervals),
                    global::Demo.Deconstructed.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.LoadIn), rows, samples, intervals),
                };
            }

            private static ((double X, (double Y, int Tag) More)[] Rows, Sample[] Samples, Interval[] Intervals) DeconstructedRows(double[] data)
            {
                var rows = new (double X, (double Y, int Tag) More)[data.Length];
                var samples = new Sample[data.Length];
                var intervals = new Interval[data.Length];
                for (int i = 0; i < data.Length; i++)
                {
                    rows[i] = (data[i], ((data[i] * 3) % 7, (int)data[i] % 3));
                    samples[i] = new Sample(data[i] - 2, (data[i] * 5) % 4);
                    intervals[i] = new Interval(data[i], data[i] + ((data[i] * 7) % 5));
                }

                return (rows, samples, intervals);
            }

            // The batched form for k weight vectors at once. Per bootstrap and coordinate: { Estimate on the materialized
            // resample, EstimateWeighted with indirection, EstimateWeightedBatch with indirection, with load-in }.
            public static double[] MeanBatch(double[] data, int[] indices, int[][] sets) => Batched(
                data, indices, sets, w => Mean(data, indices, w),
                (sample, w, count) =>
                    {
                        var r = new double[count];
                        global::Demo.Mean.EstimateWeightedBatch(sample, w, count, data, r);
                        return Wrap(r);
                    });

            public static double[] RatioBatch(double[] data, int[] indices, int[][] sets)
            {
                var denominator = new double[data.Length];
                for (int i = 0; i < data.Length; i++)
                {
                    denominator[i] = 1 + ((data[i] * 7) % 5);
                }

                return Batched(
                    data, indices, sets, w => Ratio(data, indices, w),
                    (sample, w, count) =>
                    {
                        var r = new double[count];
                        global::Demo.Ratio.EstimateWeightedBatch(sample, w, count, data, denominator, r);
                        return Wrap(r);
                    });
            }

            public static double[] ErrorRateBatch(double[] data, int[] indices, int[][] sets)
            {
                var emails = new Email[data.Length];
                for (int i = 0; i < data.Length; i++)
                {
                    emails[i] = new Email(data[i], (data[i] * 3) % 7, (int)data[i] % 3);
                }

                var models = new[] { new Model(0, 1, 0), new Model(2, 0, 1), new Model(5, -1, 0.5) };
                return Batched(
                    data, indices, sets, w => ErrorRate(data, indices, w),
                    (sample, w, count) =>
                    {
                        var r = new double[count];
                        global::Demo.ErrorRate.EstimateWeightedBatch(sample, w, count, emails, models, r);
                        return Wrap(r);
                    });
            }

            public static double[] ResidualBatch(double[] data, int[] indices, int[][] sets)
            {
                var rows = new double[data.Length][];
                for (int i = 0; i < data.Length; i++)
                {
                    rows[i] = new[] { data[i], (data[i] * 3) % 7, (data[i] * 5) % 11, 1 };
                }

                double[] coefficients = { 0.5, -0.25, 2 };
                return Batched(
                    data, indices, sets, w => Residual(data, indices, w),
                    (sample, w, count) =>
                    {
                        var r = new double[count];
                        global::Demo.Residual.EstimateWeightedBatch(sample, w, count, rows, coefficients, r);
                        return Wrap(r);
                    });
            }

            public static double[] CentroidBatch(double[] data, int[] indices, int[][] sets)
            {
                var points = new Point[data.Length];
                for (int i = 0; i < data.Length; i++)
                {
                    points[i] = new Point(data[i], (data[i] * 3) % 7);
                }

                return Batched(
                    data, indices, sets, w => Centroid(data, indices, w),
                    (sample, w, count) =>
                    {
                        var results = new double[count][];
                        global::Demo.Centroid.EstimateWeightedBatch(sample, w, count, points, results);
                        return results;
                    });
            }

            public static double[] LeastSquaresBatch(double[] data, int[] indices, int[][] sets)
            {
                Observation[] rows = Observations(data);
                return Batched(
                    data, indices, sets, w => LeastSquares(data, indices, w),
                    (sample, w, count) =>
                    {
                        var results = new double[count][];
                        global::Demo.LeastSquares.EstimateWeightedBatch(sample, w, count, rows, 3, results);
                        return results;
                    });
            }

            public static double[] DeconstructedBatch(double[] data, int[] indices, int[][] sets)
            {
                (var rows, var samples, var intervals) = DeconstructedRows(data);
                return Batched(
                    data, indices, sets, w => Deconstructed(data, indices, w),
                    (sample, w, count) =>
                    {
                        var r = new double[count];
                        global::Demo.Deconstructed.EstimateWeightedBatch(sample, w, count, rows, samples, intervals, r);
                        return Wrap(r);
                    });
            }

            private delegate double[][] Batch(BlbSample sample, int[] weights, int count);

            private static double[] Batched(double[] data, int[] indices, int[][] sets, Func<int[], double[]> single, Batch batch)
            {
                int b = indices.Length;
                int count = sets.Length;
                var rowByRow = new int[b * count];
                for (int i = 0; i < b; i++)
                {
                    for (int k = 0; k < count; k++)
                    {
                        rowByRow[(i * count) + k] = sets[k][i];
                    }
                }

                double[][] indirect = batch(BlbSample.Create(data.Length, indices, sets[0], BlbDataLayout.Indirection), rowByRow, count);
                double[][] loadIn = batch(BlbSample.Create(data.Length, indices, sets[0], BlbDataLayout.LoadIn), rowByRow, count);
                var values = new List<double>();
                for (int k = 0; k < count; k++)
                {
                    double[] one = single(sets[k]);
                    for (int c = 0; c < one.Length / 3; c++)
                    {
                        values.AddRange(new[] { one[3 * c], one[(3 * c) + 1], indirect[k][c], loadIn[k][c] });
                    }
                }

                return values.ToArray();
            }

            private static double[][] Wrap(double[] results)
            {
                var wrapped = new double[results.Length][];
                for (int k = 0; k < results.Length; k++)
                {
                    wrapped[k] = new[] { results[k] };
                }

                return wrapped;
            }

            private static Observation[] Observations(double[] data)
            {
                var rows = new Observation[data.Length];
                for (int i = 0; i < data.Length; i++)
                {
                    double a = data[i];
                    double c = (data[i] * 3) % 7;
                    rows[i] = new Observation(new[] { 1, a, c }, (2 * a) - c + (data[i] % 5));
                }

                return rows;
            }

            private static T[] Materialize<T>(T[] data, int[] indices, int[] weights)
            {
                var rows = new List<T>();
                for (int i = 0; i < indices.Length; i++)
                {
                    for (int k = 0; k < weights[i]; k++)
                    {
                        rows.Add(data[indices[i]]);
                    }
                }

                return rows.ToArray();
            }
        }
        """;

    private static readonly Lazy<GeneratorRun> Run = new(() => GeneratorHarness.Run(
    [
        BlbEstimatorSources.Mean, BlbEstimatorSources.Ratio, BlbEstimatorSources.ErrorRate,
        BlbEstimatorSources.Residual, BlbEstimatorSources.Centroid, BlbEstimatorSources.PairSum,
        BlbEstimatorSources.LeastSquares, BlbEstimatorSources.RunningTotal, BlbEstimatorSources.Deconstructed, Oracle, RunningTotalOracle,
    ]));

    private const string RunningTotalOracle = """
        using System;
        using System.Collections.Generic;
        using Specialize;

        namespace Demo;

        public static class RunningTotalOracle
        {
            public static double[] Weighted(double[] data, int[] indices, int[] weights)
            {
                var resample = new List<double>();
                for (int i = 0; i < indices.Length; i++)
                {
                    for (int k = 0; k < weights[i]; k++)
                    {
                        resample.Add(data[indices[i]]);
                    }
                }

                return new[]
                {
                    global::Demo.RunningTotal.Estimate(resample.ToArray()),
                    global::Demo.RunningTotal.EstimateWeighted(BlbSample.Create(data.Length, indices, weights, BlbDataLayout.Indirection), data),
                };
            }

            // Through the runtime, which must fall back to EstimateWeighted per bootstrap; { Run's estimate, the estimator on all rows }.
            public static double[] Run(double[] data) =>
                new[] { global::Demo.RunningTotal.Run(data, new BlbOptions { Subsamples = 3, Bootstraps = 10, Seed = 3 }).Estimate, global::Demo.RunningTotal.Estimate(data) };
        }
        """;

    public static TheoryData<string> Shapes => new() { "Mean", "Ratio", "ErrorRate", "Residual", "Centroid", "PairSum", "LeastSquares", "Deconstructed" };

    public static TheoryData<string, bool> BatchedShapes => new()
    {
        { "Mean", true }, { "Ratio", true }, { "ErrorRate", true }, { "Residual", true }, { "Centroid", true }, { "LeastSquares", true },
        { "Mean", false }, { "Ratio", false }, { "ErrorRate", false }, { "Residual", false }, { "Centroid", false }, { "LeastSquares", false },
        { "Deconstructed", true }, { "Deconstructed", false },
    };

    /// <summary>
    /// The batched form for k random weight vectors: with whole-number data every sum is exact, so bootstrap k's batched
    /// estimate equals the estimator on its materialized resample exactly; with fractional data the batched form adds the
    /// same terms in the same row order as EstimateWeighted, so the two agree bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(BatchedShapes))]
    public void Batched_estimator_equals_the_estimator_on_each_materialized_resample(string shape, bool wholeNumbers)
    {
        var random = new Random(20140702 + shape.Length + (wholeNumbers ? 0 : 1000));
        for (int trial = 0; trial < 15; trial++)
        {
            // Up to 150 rows (several blocks of collected terms) and 40 bootstraps (vectors of 8 and of 4, and single lanes);
            // b close to n leaves many rows of weight zero.
            int n = random.Next(4, 150);
            int b = random.Next(1, n + 1);
            int count = random.Next(1, 41);
            var data = new double[n];
            for (int i = 0; i < n; i++)
            {
                data[i] = random.Next(-20, 21) + (wholeNumbers ? 0 : Math.Round(random.NextDouble(), 3));
            }

            int[] indices = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(b).Order().ToArray();
            var sets = new int[count][];
            for (int k = 0; k < count; k++)
            {
                sets[k] = new int[b];
                for (int m = 0; m < n; m++)
                {
                    sets[k][random.Next(b)]++;
                }
            }

            var values = (double[])Run.Value.Invoke("Demo.Oracle", shape + "Batch", data, indices, sets)!;
            Assert.Equal(0, values.Length % (4 * count));
            for (int c = 0; c < values.Length; c += 4)
            {
                if (wholeNumbers)
                {
                    Assert.Equal(values[c], values[c + 2]);
                    Assert.Equal(values[c], values[c + 3]);
                }

                Assert.Equal(BitConverter.DoubleToInt64Bits(values[c + 1]), BitConverter.DoubleToInt64Bits(values[c + 2]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(values[c + 1]), BitConverter.DoubleToInt64Bits(values[c + 3]));
            }
        }
    }

    [Fact]
    public void Estimator_whose_loop_reads_an_accumulator_has_no_batched_form_and_is_still_right()
    {
        Assert.DoesNotContain("EstimateWeightedBatch", Run.Value.Source("RunningTotal.Blb.g.cs"), StringComparison.Ordinal);
        var random = new Random(11);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = random.Next(4, 40);
            int b = random.Next(1, n + 1);
            double[] data = Enumerable.Range(0, n).Select(_ => (double)random.Next(-9, 10)).ToArray();
            int[] indices = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(b).Order().ToArray();
            var weights = new int[b];
            for (int m = 0; m < n; m++)
            {
                weights[random.Next(b)]++;
            }

            var values = (double[])Run.Value.Invoke("Demo.RunningTotalOracle", "Weighted", data, indices, weights)!;
            Assert.Equal(values[0], values[1]);
        }

        double[] many = Enumerable.Range(0, 500).Select(i => (double)((i * 7) % 13) - 6).ToArray();
        var run = (double[])Run.Value.Invoke("Demo.RunningTotalOracle", "Run", many)!;
        Assert.Equal(run[1], run[0]);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Weighted_estimator_equals_the_estimator_on_the_materialized_resample(string shape)
    {
        var random = new Random(20140701 + shape.Length);
        for (int trial = 0; trial < 25; trial++)
        {
            int n = random.Next(4, 60);
            int b = random.Next(1, n + 1);
            var data = new double[n];
            for (int i = 0; i < n; i++)
            {
                data[i] = random.Next(-20, 21);
            }

            // b distinct rows, ascending, and integer weights summing to n (zeros included).
            int[] indices = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(b).Order().ToArray();
            var weights = new int[b];
            for (int k = 0; k < n; k++)
            {
                weights[random.Next(b)]++;
            }

            var values = (double[])Run.Value.Invoke("Demo.Oracle", shape, data, indices, weights)!;
            for (int c = 0; c < values.Length; c += 3)
            {
                Assert.Equal(values[c], values[c + 1], 12);
                Assert.Equal(values[c], values[c + 2], 12);
            }
        }
    }
}
