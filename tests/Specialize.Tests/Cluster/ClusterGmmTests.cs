using Specialize.Mixture;
using Specialize.Variants;
using Xunit;

namespace Specialize.Tests.Cluster;

/// <summary>Gaussian-mixture EM over ranks (run as threads): rows sharded, sums added in piece order.</summary>
public class ClusterGmmTests
{
    internal const int Rows = 40_000; // five pieces: ranks own different runs of them for 2, 3 and 7 ranks
    internal const int Dimension = 4;
    internal const int Components = 3;

    private static readonly TemporaryFolder s_folder = TemporaryFolder.ForProcess("cluster-gmm");

    private static readonly double[,] s_x = Blobs();

    /// <summary>Three blobs of <see cref="Rows"/> rows: the data every cluster GMM test fits.</summary>
    internal static double[,] X => s_x;

    private static double[,] Blobs()
    {
        var random = new Random(17);
        var x = new double[Rows, Dimension];
        for (int n = 0; n < Rows; n++)
        {
            int k = n % Components;
            for (int i = 0; i < Dimension; i++)
            {
                x[n, i] = (3.0 * k * (i + 1) / Dimension) + (random.NextDouble() - 0.5) * (1 + k) + (0.3 * i * random.NextDouble());
            }
        }

        return x;
    }

    /// <summary>
    /// A tuning store that already holds one variant of each full-covariance kernel for every size the fits run on
    /// (the pieces and the whole data), so that every rank and the one-process fit run the same variants (on the
    /// processor, which the fits name, so that SPECIALIZE_DEVICE does not move them).
    /// </summary>
    private static TuningStore DecidedStore()
    {
        var store = new TuningStore(s_folder.Combine($"tuning-{Guid.NewGuid():N}.json"));
        foreach (long bucket in new[] { VariantKey.RowBucketOf(ClusterEm.Pieces(Rows).Rows), VariantKey.RowBucketOf(Rows) })
        {
            var covariance = new VariantKey("cpu", GmmKernels.CovarianceKernelName, "float64", Dimension, Components, bucket);
            var mahalanobis = covariance with { Kernel = GmmKernels.MahalanobisKernelName };
            store.Record(covariance, "Syrk", 1, GmmKernels.Covariance.GetCandidates(covariance).Select(c => c.Key));
            store.Record(mahalanobis, "Rowwise", 1, GmmKernels.Mahalanobis.GetCandidates(mahalanobis).Select(c => c.Key));
        }

        return store;
    }

    private static GaussianMixture Fit(CovarianceType type, TuningStore store, GmmInit init = GmmInit.KMeans, CancellationToken cancellationToken = default) =>
        new GaussianMixture(new GaussianMixtureOptions { Components = Components, CovarianceType = type, Seed = 3, Init = init, TuningStore = store, Initializations = 2, Device = "cpu" })
            .Fit(s_x, cancellationToken: cancellationToken);

    private static void AssertBitwiseEqual(GaussianMixture expected, GaussianMixture actual)
    {
        Assert.Equal(expected.Iterations, actual.Iterations);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.LowerBound), BitConverter.DoubleToInt64Bits(actual.LowerBound));
        Assert.Equal(expected.Weights, actual.Weights);
        Assert.Equal(expected.Means, actual.Means);
        Assert.Equal(expected.Covariances, actual.Covariances);
        Assert.Equal(expected.PrecisionsCholesky, actual.PrecisionsCholesky);
    }

    [Fact]
    public void Pieces_depend_only_on_the_rows_and_every_rank_owns_a_contiguous_run()
    {
        Assert.Equal(5, ClusterEm.Pieces(Rows).Count);
        Assert.Equal((ClusterEm.MinPieceRows, 1), ClusterEm.Pieces(100));
        var (rows, count) = ClusterEm.Pieces(150_000);
        Assert.True(rows >= ClusterEm.MinPieceRows);
        Assert.Equal(0, rows % (GmmKernels.ChunkBlocks * GmmData.BlockSize));
        Assert.True((long)rows * count >= 150_000 && (long)rows * (count - 1) < 150_000);
        Assert.Equal(ClusterEm.MaxPieces, ClusterEm.Pieces(10_000_000).Count);
        foreach (int ranks in new[] { 1, 2, 3, 7, 200 })
        {
            int next = 0;
            for (int r = 0; r < ranks; r++)
            {
                var (first, end) = ClusterEm.Owned(count, r, ranks);
                Assert.Equal(next, first);
                Assert.True(end - first <= (count + ranks - 1) / ranks);
                next = end;
            }

            Assert.Equal(count, next);
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void The_fit_does_not_depend_on_the_number_of_ranks(CovarianceType type)
    {
        TuningStore store = DecidedStore();
        var two = ThreadWorld.Run(2, rank => Fit(type, store));
        var three = ThreadWorld.Run(3, rank => Fit(type, store));
        var seven = ThreadWorld.Run(7, rank => Fit(type, store));
        foreach (var outcome in two.Concat(three).Concat(seven))
        {
            AssertBitwiseEqual(two[0].Result, outcome.Result);
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void The_fit_over_ranks_is_the_one_process_fit_to_rounding(CovarianceType type)
    {
        TuningStore store = DecidedStore();
        GaussianMixture alone = Fit(type, store);
        var ranks = ThreadWorld.Run(3, rank => Fit(type, store));
        foreach (var outcome in ranks)
        {
            GaussianMixture shared = outcome.Result;
            Assert.Equal(alone.Iterations, shared.Iterations);
            Assert.True(Math.Abs(alone.LowerBound - shared.LowerBound) <= 1e-12 * Math.Abs(alone.LowerBound), $"{alone.LowerBound:R} vs {shared.LowerBound:R}");
            AssertClose(alone.Weights, shared.Weights);
            AssertClose(alone.Means.Cast<double>(), shared.Means.Cast<double>());
            AssertClose(alone.Covariances.Cast<double>(), shared.Covariances.Cast<double>());
        }
    }

    /// <summary>Every value of <paramref name="actual"/> within <paramref name="tolerance"/> of <paramref name="expected"/>'s, relative to it where it is above 1.</summary>
    internal static void AssertClose(IEnumerable<double> expected, IEnumerable<double> actual, double tolerance = 1e-10)
    {
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.True(Math.Abs(e - a) <= tolerance * Math.Max(1, Math.Abs(e)), $"{a:R} vs {e:R}");
        }
    }

    [Fact]
    public void A_fit_that_fails_on_every_rank_throws_its_own_exception_everywhere()
    {
        // Four distinct rows and four components: the M-step is singular on every rank alike (no rank waits).
        var x = new double[8, 2] { { 0, 0 }, { 0, 0 }, { 1, 1 }, { 1, 1 }, { 2, 0 }, { 2, 0 }, { 3, 1 }, { 3, 1 } };
        var outcomes = ThreadWorld.Run(2, rank => new GaussianMixture(new GaussianMixtureOptions { Components = 4, CovarianceType = CovarianceType.Diagonal, Regularization = 0, Seed = 0 }).Fit(x));
        Assert.All(outcomes, o => Assert.IsType<InvalidOperationException>(o.Exception));
    }

    [Fact]
    public void Cancelling_one_rank_cancels_the_fit_on_every_rank()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        TuningStore store = DecidedStore();
        var outcomes = ThreadWorld.Run(2, rank => Fit(CovarianceType.Diagonal, store, cancellationToken: rank == 1 ? cancelled.Token : default));
        Assert.All(outcomes, o => Assert.IsAssignableFrom<OperationCanceledException>(o.Exception));
    }
}
