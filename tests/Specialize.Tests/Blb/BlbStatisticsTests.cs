using Xunit;
using static Specialize.Tests.Blb.WeightedEstimators;

namespace Specialize.Tests.Blb;

/// <summary>BLB's answers against analytic values and a classic bootstrap written out slowly here.</summary>
public class BlbStatisticsTests
{
    private static BlbResult RunMean(double[] x, BlbOptions options) =>
        BlbRuntime.Run(x.Length, sizeof(double), x, static (sample, data) => MeanWeighted(sample, data), null, null, options, null, CancellationToken.None);

    [Fact]
    public void Standard_error_of_the_mean_of_a_million_normals_is_within_3_percent_of_sigma_over_root_n()
    {
        const int n = 1_000_000;
        const double sigma = 2.0;
        double[] x = TestData.Normal(n, 5, sigma, 2014);
        BlbResult result = RunMean(x, new BlbOptions { Seed = 42 });
        double expected = sigma / Math.Sqrt(n);
        Assert.True(Math.Abs(result.StandardError / expected - 1) <= 0.03, $"SE {result.StandardError:R} vs {expected:R}");
        Assert.Equal(result.StandardError, result.Quality);
        Assert.Equal(25, result.Subsamples);
        Assert.Equal(Math.Ceiling(Math.Pow(n, 0.7)), result.SubsampleSize);
    }

    [Fact]
    public void Ninety_five_percent_interval_covers_the_true_mean_93_to_97_percent_of_the_time()
    {
        // 1000 simulated data sets (the binomial standard error of the coverage is then 0.7%).
        const int dataSets = 1000;
        const int n = 1000;
        const double trueMean = 1.5;
        var options = new BlbOptions { Subsamples = 10, Bootstraps = 50, Seed = 7, MaxDegreeOfParallelism = 1 };
        int covered = 0;
        double[][] all = new double[dataSets][];
        for (int set = 0; set < dataSets; set++)
        {
            all[set] = TestData.Normal(n, trueMean, 3, 10_000 + set);
        }
        var hits = new int[dataSets];
        Parallel.For(0, dataSets, set =>
        {
            BlbResult result = RunMean(all[set], options);
            Assert.True(result.Lower < result.Estimate && result.Estimate < result.Upper);
            hits[set] = result.Lower <= trueMean && trueMean <= result.Upper ? 1 : 0;
        });
        covered = hits.Sum();
        double coverage = (double)covered / dataSets;
        Assert.InRange(coverage, 0.93, 0.97);
    }

    [Fact]
    public void Standard_error_agrees_with_a_classic_bootstrap_within_5_percent()
    {
        const int n = 20_000;
        // Skewed data, so that the comparison is not only about the normal case.
        double[] x = TestData.Normal(n, 0, 1, 77).Select(static v => Math.Exp(v)).ToArray();
        BlbResult blb = RunMean(x, new BlbOptions { Subsamples = 50, Seed = 3 });

        // Classic bootstrap: B resamples of n rows with replacement, standard deviation of their means.
        const int resamples = 2000;
        var random = new System.Random(123);
        var means = new double[resamples];
        for (int k = 0; k < resamples; k++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += x[random.Next(n)];
            }
            means[k] = sum / n;
        }
        double mean = means.Average();
        double classic = Math.Sqrt(means.Sum(m => (m - mean) * (m - mean)) / (resamples - 1));
        Assert.True(Math.Abs(blb.StandardError / classic - 1) <= 0.05, $"BLB {blb.StandardError:R} vs classic {classic:R}");
    }

    [Fact]
    public void Least_squares_standard_errors_match_the_analytic_ones_per_coordinate()
    {
        const int n = 20_000;
        const double noiseSigma = 0.5;
        double[] flat = TestData.Normal(n * 2, 0, 1, 5);
        double[] noise = TestData.Normal(n, 0, noiseSigma, 6);
        var x = new double[n][];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = [1.0, flat[2 * i], flat[2 * i + 1]];
            y[i] = 2 + 3 * x[i][1] - x[i][2] + noise[i];
        }
        BlbVectorResult result = BlbRuntime.RunVector(
            n, 2 * sizeof(double), (x, y), static (sample, state) => LeastSquaresWeighted(sample, state),
            null, null, new BlbOptions { Seed = 11 }, null, CancellationToken.None);

        // Analytic: Var(beta) = sigma^2 (X'X)^-1; with centred unit-variance regressors the diagonal is about sigma^2 / n.
        int d = 3;
        var gram = new double[d * d];
        foreach (double[] row in x)
        {
            for (int a = 0; a < d; a++)
            {
                for (int c = 0; c < d; c++)
                {
                    gram[a * d + c] += row[a] * row[c];
                }
            }
        }
        Assert.Equal(d, result.Dimension);
        double[] plain = LeastSquares(x, y);
        for (int c = 0; c < d; c++)
        {
            var unit = new double[d];
            unit[c] = 1;
            double inverseDiagonal = Solve(gram, unit, d)[c];
            double expected = noiseSigma * Math.Sqrt(inverseDiagonal);
            Assert.True(Math.Abs(result.StandardError[c] / expected - 1) <= 0.06, $"coordinate {c}: {result.StandardError[c]:R} vs {expected:R}");
            Assert.Equal(plain[c], result.Estimate[c], 10);
            Assert.True(result.Lower[c] < result.Estimate[c] && result.Estimate[c] < result.Upper[c]);
        }
        Assert.Equal(result.Subsamples, result.SubsampleQualities.Length);
        Assert.All(result.SubsampleQualities, v => Assert.Equal(d, v.Length));
    }

    [Fact]
    public void Estimate_is_the_plain_estimator_on_the_full_data()
    {
        double[] x = TestData.Normal(5000, 2, 1, 8);
        double[] y = TestData.Normal(5000, 9, 1, 9);
        BlbResult result = BlbRuntime.Run(x.Length, 16, (x, y), static (sample, state) => RatioWeighted(sample, state), null, null, new BlbOptions { Subsamples = 3, Bootstraps = 10 }, null, CancellationToken.None);
        Assert.Equal(Ratio(x, y), result.Estimate);
    }

    [Fact]
    public void Interval_is_centred_near_the_estimate_and_about_four_standard_errors_wide()
    {
        double[] x = TestData.Normal(50_000, 0, 1, 12);
        BlbResult result = RunMean(x, new BlbOptions { Seed = 5 });
        double width = result.Upper - result.Lower;
        Assert.InRange(width / result.StandardError, 2 * 1.96 * 0.9, 2 * 1.96 * 1.1);
        Assert.InRange((result.Estimate - result.Lower) / (result.Upper - result.Estimate), 0.8, 1.25);
        Assert.InRange(result.BootstrapMean, result.Lower, result.Upper);
    }

    [Fact]
    public void Custom_reducers_receive_each_subsample_and_the_subsample_values()
    {
        double[] x = TestData.Normal(3000, 0, 1, 13);
        var options = new BlbOptions { Subsamples = 6, Bootstraps = 30 };
        BlbResult counted = BlbRuntime.Run(
            x.Length, 8, x, static (sample, data) => MeanWeighted(sample, data),
            static estimates => estimates.Length, static values => TensorSum(values), options, null, CancellationToken.None);
        Assert.Equal(6 * 30, counted.Quality);
        Assert.All(counted.SubsampleQualities, v => Assert.Equal(30, v));

        // A reducer that recomputes the sample standard deviation gives the built-in answer.
        BlbResult builtIn = RunMean(x, options);
        BlbResult recomputed = BlbRuntime.Run(
            x.Length, 8, x, static (sample, data) => MeanWeighted(sample, data),
            static estimates => SlowStandardDeviation(estimates), null, options, null, CancellationToken.None);
        Assert.Equal(builtIn.StandardError, recomputed.Quality, 15);
        Assert.Equal(builtIn.StandardError, recomputed.StandardError);
    }

    private static double TensorSum(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double v in values)
        {
            sum += v;
        }
        return sum;
    }

    private static double SlowStandardDeviation(ReadOnlySpan<double> values)
    {
        double mean = 0;
        foreach (double v in values)
        {
            mean += v;
        }
        mean /= values.Length;
        double sum = 0;
        foreach (double v in values)
        {
            sum += (v - mean) * (v - mean);
        }
        return Math.Sqrt(sum / (values.Length - 1));
    }
}
