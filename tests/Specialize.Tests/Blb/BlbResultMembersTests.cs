using Xunit;
using static Specialize.Tests.Blb.WeightedEstimators;

namespace Specialize.Tests.Blb;

/// <summary>
/// Each member of <see cref="BlbResult"/> means what its name says: <see cref="BlbResult.Estimate"/> the estimator on the
/// full data, <see cref="BlbResult.StandardError"/> its standard error, <see cref="BlbResult.Quality"/> what the reducers
/// compute (the standard error when there are none), <see cref="BlbResult.BootstrapMean"/> the average bootstrap estimate.
/// </summary>
public sealed class BlbResultMembersTests
{
    private static readonly double[] s_data = TestData.Normal(4000, 3, 2, 21);
    private static readonly BlbOptions s_options = new() { Subsamples = 5, Bootstraps = 40, Seed = 2 };

    private static BlbResult RunMean(BlbReducer? reduceBootstraps = null, BlbReducer? average = null) =>
        BlbRuntime.Run(s_data.Length, sizeof(double), s_data, static (sample, data) => MeanWeighted(sample, data), reduceBootstraps, average, s_options, null, CancellationToken.None);

    private static double Average(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double v in values)
        {
            sum += v;
        }

        return sum / values.Length;
    }

    [Fact]
    public void Quality_is_what_the_reducers_compute_and_the_standard_error_stays_the_standard_error()
    {
        BlbResult builtIn = RunMean();
        BlbResult counted = RunMean(static estimates => estimates.Length, static values => values.Length * 1000.0);

        Assert.Equal(5 * 1000.0, counted.Quality);
        Assert.All(counted.SubsampleQualities, static v => Assert.Equal(40, v));
        Assert.Equal(builtIn.StandardError, counted.StandardError);
        Assert.Equal(builtIn.StandardError, builtIn.Quality);
        Assert.Equal(builtIn.Subsamples, builtIn.SubsampleQualities.Length);
    }

    [Fact]
    public void BootstrapMean_is_the_average_over_subsamples_of_the_mean_bootstrap_estimate()
    {
        // Reducers that average the bootstrap estimates, then the subsamples: BootstrapMean by definition.
        BlbResult averaged = RunMean(static estimates => Average(estimates), static values => Average(values));
        BlbResult builtIn = RunMean();

        Assert.Equal(averaged.Quality, builtIn.BootstrapMean, 12);
        Assert.NotEqual(builtIn.Estimate, builtIn.BootstrapMean);
        Assert.Equal(s_data.Average(), builtIn.Estimate, 12);
    }

    [Fact]
    public void The_former_names_forward_to_the_new_ones()
    {
        BlbResult result = RunMean();
        BlbVectorResult vector = BlbRuntime.RunVector(
            s_data.Length, sizeof(double), s_data, static (sample, data) => [MeanWeighted(sample, data)], null, null, s_options, null, CancellationToken.None);
#pragma warning disable CS0618 // the obsolete names are what is tested
        Assert.Equal(result.Quality, result.Value);
        Assert.Equal(result.BootstrapMean, result.Mean);
        Assert.Same(result.SubsampleQualities, result.SubsampleValues);
        Assert.Same(vector.Quality, vector.Value);
        Assert.Same(vector.BootstrapMean, vector.Mean);
        Assert.Same(vector.SubsampleQualities, vector.SubsampleValues);
#pragma warning restore CS0618
        Assert.Equal(result.Quality, vector.Quality[0]);
        Assert.Equal(result.BootstrapMean, vector.BootstrapMean[0]);
    }
}
