using Xunit;
using static Specialize.Tests.Blb.WeightedEstimators;

namespace Specialize.Tests.Blb;

/// <summary>
/// The rewrite oracle: for random integer weights summing to n, the weighted estimator equals the
/// original estimator run on the materialized multiset (every subsample row repeated weight times).
/// </summary>
public class WeightedEstimatorOracleTests
{
    private const int N = 300;
    private const int B = 70;

    public static TheoryData<int, BlbDataLayout> Cases()
    {
        var data = new TheoryData<int, BlbDataLayout>();
        for (int seed = 1; seed <= 5; seed++)
        {
            data.Add(seed, BlbDataLayout.LoadIn);
            data.Add(seed, BlbDataLayout.Indirection);
        }
        return data;
    }

    /// <summary>Distinct sorted rows and weights (some zero) that sum to <see cref="N"/>.</summary>
    private static (int[] Indices, int[] Weights) RandomWeights(int seed)
    {
        var random = new System.Random(seed);
        var rows = Enumerable.Range(0, N).OrderBy(_ => random.Next()).Take(B).Order().ToArray();
        var weights = new int[B];
        for (int unit = 0; unit < N; unit++)
        {
            weights[random.Next(B)]++;
        }
        return (rows, weights);
    }

    private static T[] Materialize<T>(T[] data, int[] indices, int[] weights)
    {
        var multiset = new List<T>();
        for (int i = 0; i < indices.Length; i++)
        {
            for (int k = 0; k < weights[i]; k++)
            {
                multiset.Add(data[indices[i]]);
            }
        }
        return multiset.ToArray();
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1.0, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Random_weights_include_zero_weight_rows()
    {
        int zeros = 0;
        for (int seed = 1; seed <= 5; seed++)
        {
            zeros += RandomWeights(seed).Weights.Count(w => w == 0);
        }
        Assert.True(zeros > 0);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weighted_mean_equals_mean_of_materialized_resample(int seed, BlbDataLayout layout)
    {
        double[] x = TestData.Normal(N, 3, 2, seed);
        var (indices, weights) = RandomWeights(seed);
        double weighted = MeanWeighted(TestData.Sample(indices, weights, N, layout), x);
        AssertClose(Mean(Materialize(x, indices, weights)), weighted);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weighted_sum_equals_sum_of_materialized_resample(int seed, BlbDataLayout layout)
    {
        double[] x = TestData.Normal(N, 3, 2, seed);
        var (indices, weights) = RandomWeights(seed);
        double weighted = SumWeighted(TestData.Sample(indices, weights, N, layout), x);
        AssertClose(Sum(Materialize(x, indices, weights)), weighted);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weighted_ratio_of_co_iterated_inputs_equals_ratio_of_materialized_resample(int seed, BlbDataLayout layout)
    {
        double[] x = TestData.Normal(N, 10, 1, seed);
        double[] y = TestData.Normal(N, 4, 1, seed + 100);
        var (indices, weights) = RandomWeights(seed);
        double weighted = RatioWeighted(TestData.Sample(indices, weights, N, layout), (x, y));
        AssertClose(Ratio(Materialize(x, indices, weights), Materialize(y, indices, weights)), weighted);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weighted_branchy_count_with_nested_pass_through_loop_equals_materialized_resample(int seed, BlbDataLayout layout)
    {
        double[] scores = TestData.Normal(N, 0, 1, seed);
        var random = new System.Random(seed);
        var emails = scores.Select(s => new Email(s, random.Next(3))).ToArray();
        double[] thresholds = [-0.4, 0.4];
        var (indices, weights) = RandomWeights(seed);
        double weighted = ErrorRateWeighted(TestData.Sample(indices, weights, N, layout), (emails, thresholds));
        AssertClose(ErrorRate(Materialize(emails, indices, weights), thresholds), weighted);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weighted_dot_products_equal_materialized_resample(int seed, BlbDataLayout layout)
    {
        double[] flat = TestData.Normal(N * 5, 0, 1, seed);
        var rows = Enumerable.Range(0, N).Select(i => flat.AsSpan(i * 5, 5).ToArray()).ToArray();
        double[] beta = [0.5, -1, 2, 0.25, 3];
        var (indices, weights) = RandomWeights(seed);
        double weighted = MeanScoreWeighted(TestData.Sample(indices, weights, N, layout), (rows, beta));
        AssertClose(MeanScore(Materialize(rows, indices, weights), beta), weighted);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weighted_least_squares_equals_materialized_resample(int seed, BlbDataLayout layout)
    {
        double[] flat = TestData.Normal(N * 3, 0, 1, seed);
        double[] noise = TestData.Normal(N, 0, 0.5, seed + 7);
        var x = Enumerable.Range(0, N).Select(i => new[] { 1.0, flat[i * 3], flat[i * 3 + 1] }).ToArray();
        var y = Enumerable.Range(0, N).Select(i => 2 + 3 * x[i][1] - x[i][2] + noise[i]).ToArray();
        var (indices, weights) = RandomWeights(seed);
        double[] weighted = LeastSquaresWeighted(TestData.Sample(indices, weights, N, layout), (x, y));
        double[] plain = LeastSquares(Materialize(x, indices, weights), Materialize(y, indices, weights));
        Assert.Equal(plain.Length, weighted.Length);
        for (int c = 0; c < plain.Length; c++)
        {
            Assert.True(Math.Abs(plain[c] - weighted[c]) <= 1e-10 * Math.Max(1, Math.Abs(plain[c])), $"coordinate {c}: {plain[c]:R} vs {weighted[c]:R}");
        }
    }

    [Fact]
    public void Load_in_and_indirection_give_bitwise_equal_estimates()
    {
        double[] x = TestData.Normal(N, 3, 2, 9);
        double[] y = TestData.Normal(N, 1, 2, 10);
        var (indices, weights) = RandomWeights(9);
        Assert.Equal(
            RatioWeighted(TestData.Sample(indices, weights, N, BlbDataLayout.LoadIn), (x, y)),
            RatioWeighted(TestData.Sample(indices, weights, N, BlbDataLayout.Indirection), (x, y)));
        Assert.Equal(
            MeanWeighted(TestData.Sample(indices, weights, N, BlbDataLayout.LoadIn), x),
            MeanWeighted(TestData.Sample(indices, weights, N, BlbDataLayout.Indirection), x));
    }

    [Fact]
    public void Gathered_rows_are_the_subsample_rows_and_are_reused_within_a_subsample()
    {
        double[] x = TestData.Normal(N, 0, 1, 4);
        var (indices, weights) = RandomWeights(4);
        BlbSample sample = TestData.Sample(indices, weights, N, BlbDataLayout.LoadIn);
        ReadOnlySpan<double> first = sample.Gather(0, (ReadOnlySpan<double>)x);
        ReadOnlySpan<double> second = sample.Gather(0, (ReadOnlySpan<double>)x);
        Assert.Equal(indices.Length, first.Length);
        for (int i = 0; i < indices.Length; i++)
        {
            Assert.Equal(x[indices[i]], first[i]);
        }
        Assert.True(first == second, "the second call for the same subsample returns the same buffer");
    }

    [Fact]
    public void Co_iterated_input_of_another_length_is_rejected()
    {
        double[] x = new double[N];
        double[] shorter = new double[N - 1];
        var (indices, weights) = RandomWeights(1);
        var exception = Assert.Throws<ArgumentException>(() =>
            RatioWeighted(TestData.Sample(indices, weights, N, BlbDataLayout.LoadIn), (x, shorter)));
        Assert.Equal("data", exception.ParamName);
    }
}
