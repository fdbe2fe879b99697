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
        BlbEstimatorSources.Residual, BlbEstimatorSources.Centroid, BlbEstimatorSources.PairSum, Oracle,
    ]));

    public static TheoryData<string> Shapes => new() { "Mean", "Ratio", "ErrorRate", "Residual", "Centroid", "PairSum" };

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
