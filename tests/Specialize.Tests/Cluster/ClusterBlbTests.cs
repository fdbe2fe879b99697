using Specialize.Blb;
using Specialize.Tests.Blb;
using Xunit;
using static Specialize.Tests.Blb.WeightedEstimators;

namespace Specialize.Tests.Cluster;

/// <summary>BLB over ranks (run as threads): the one-process result, bit for bit, for any number of ranks.</summary>
public class ClusterBlbTests
{
    private static readonly double[] s_data = TestData.Normal(20_000, 1, 2, 99);

    private static BlbResult RunMean(BlbOptions options, CancellationToken cancellationToken = default) =>
        BlbRuntime.Run(s_data.Length, sizeof(double), s_data, static (sample, data) => MeanWeighted(sample, data), null, null, options, null, cancellationToken);

    [Theory]
    [InlineData(2, 25, false, 1)]
    [InlineData(3, 25, false, 2)]
    [InlineData(4, 7, false, 1)]
    [InlineData(5, 3, false, 2)]  // more ranks than subsamples: two ranks only make the full-data pass or nothing
    [InlineData(3, 40, true, 1)]   // adaptive: waves dealt to the ranks, the stopping rule checked in order
    [InlineData(2, 40, true, 2)]
    public void Every_rank_gets_the_one_process_result_bit_for_bit(int ranks, int subsamples, bool adaptive, int threads)
    {
        var options = new BlbOptions { Subsamples = subsamples, Adaptive = adaptive, Seed = 11, MaxDegreeOfParallelism = threads };
        BlbResult alone = RunMean(options);
        var outcomes = ThreadWorld.Run(ranks, rank => RunMean(options));
        Assert.All(outcomes, o => TestData.AssertBitwiseEqual(alone, o.Result));
        Assert.All(outcomes, o => Assert.Equal(threads, o.Result.Threads));
    }

    [Fact]
    public void A_vector_estimate_is_the_one_process_result_on_every_rank()
    {
        double[] flat = TestData.Normal(4000, 0, 1, 3);
        var x = Enumerable.Range(0, 2000).Select(i => new[] { 1.0, flat[2 * i], flat[2 * i + 1] }).ToArray();
        var y = Enumerable.Range(0, 2000).Select(i => x[i][1] - x[i][2] + flat[(7 * i) % 4000]).ToArray();
        BlbVectorResult Run() => BlbRuntime.RunVector(
            x.Length, 16, (x, y), static (sample, state) => LeastSquaresWeighted(sample, state),
            null, null, new BlbOptions { Subsamples = 8, Bootstraps = 40, Seed = 2 }, null, CancellationToken.None);
        BlbVectorResult alone = Run();
        var outcomes = ThreadWorld.Run(3, rank => Run());
        Assert.All(outcomes, o =>
        {
            Assert.Equal(alone.Estimate, o.Result.Estimate);
            Assert.Equal(alone.StandardError, o.Result.StandardError);
            Assert.Equal(alone.Lower, o.Result.Lower);
            Assert.Equal(alone.Upper, o.Result.Upper);
        });
    }

    [Fact]
    public void An_estimator_that_throws_on_one_rank_throws_on_every_rank()
    {
        // Subsample 4's rows are drawn on rank 1 of 3 (subsample j goes to rank j mod 3); its estimator throws there.
        var outcomes = ThreadWorld.Run(3, rank => BlbRuntime.Run(
            s_data.Length, sizeof(double), s_data,
            (sample, data) => sample.Indices.Length < s_data.Length && Specialize.Cluster.Rank == 1 ? throw new ArithmeticException("overflow on rank 1") : MeanWeighted(sample, data),
            null, null, new BlbOptions { Subsamples = 6, Seed = 1, MaxDegreeOfParallelism = 1 }, null, CancellationToken.None));
        Assert.All(outcomes, o => Assert.Equal("BLB: failed on rank 1 of 3: System.ArithmeticException: overflow on rank 1", Assert.IsType<ClusterException>(o.Exception).Message));
    }

    [Fact]
    public void Cancelling_one_rank_cancels_the_run_on_every_rank()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var outcomes = ThreadWorld.Run(2, rank => RunMean(new BlbOptions { Seed = 1 }, rank == 1 ? cancelled.Token : default));
        Assert.All(outcomes, o => Assert.IsAssignableFrom<OperationCanceledException>(o.Exception));
    }
}
