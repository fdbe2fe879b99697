using Specialize.Mixture;
using Specialize.Tests.Cluster;
using Specialize.Variants;
using Xunit;

namespace Specialize.Tests.Mixture;

/// <summary>A fit that checkpoints every k iterations and is stopped resumes to the uninterrupted result.</summary>
public class CheckpointTests
{
    private static readonly double[,] s_x = Blobs(3000, 17);

    private static double[,] Blobs(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, 3];
        for (int r = 0; r < n; r++)
        {
            int k = r % 4;
            for (int i = 0; i < 3; i++)
            {
                x[r, i] = (1.5 * k * (i + 1)) + ((random.NextDouble() - 0.5) * (2 + k));
            }
        }

        return x;
    }

    private static readonly Lazy<TuningStore> s_float32Store = new(Float32Store);

    private static GaussianMixtureOptions Options(string? checkpoint, ComputePrecision precision = ComputePrecision.Auto) => new()
    {
        Components = 4,
        CovarianceType = CovarianceType.Full,
        Init = GmmInit.Random,
        Initializations = 3,
        Tolerance = 1e-9,
        MaxIterations = 60,
        Seed = 5,
        Variant = precision == ComputePrecision.Single ? "Syrk-Chunk-F32" : "Syrk",
        Device = "cpu",
        Precision = precision,
        TuningStore = precision == ComputePrecision.Single ? s_float32Store.Value : TestStores.Scratch,
        CheckpointPath = checkpoint,
        CheckpointInterval = 4,
    };

    /// <summary>A store that has chosen the float32 Mahalanobis variant already, so that no race on the first iterations makes a resumed fit run another.</summary>
    private static TuningStore Float32Store()
    {
        var store = new TuningStore(TemporaryFolder.ForProcess("gmm-checkpoint-tuning").Combine("tuning.json"));
        var key = new VariantKey("cpu", GmmKernels.MahalanobisKernelName, "float32", 3, 4, VariantKey.RowBucketOf(3000));
        store.Record(key, "Tiled-F32", 1, GmmKernels.Mahalanobis.GetCandidates(key).Select(static c => c.Key));
        return store;
    }

    /// <summary>Fits with checkpoints and stops (as a killed job would) after <paramref name="stopAt"/> reports; returns the reports seen.</summary>
    private static List<GmmProgress> FitAndStop(string path, int stopAt, ComputePrecision precision = ComputePrecision.Auto)
    {
        var reports = new List<GmmProgress>();
        using var stop = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            reports.Add(p);
            if (reports.Count == stopAt)
            {
                stop.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => new GaussianMixture(Options(path, precision)).Fit(s_x, progress, stop.Token));
        return reports;
    }

    private static void AssertBitwiseEqual(GaussianMixture expected, GaussianMixture actual)
    {
        Assert.Equal(expected.Iterations, actual.Iterations);
        Assert.Equal(expected.Converged, actual.Converged);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.LowerBound), BitConverter.DoubleToInt64Bits(actual.LowerBound));
        Assert.Equal(expected.Weights, actual.Weights);
        Assert.Equal(expected.Means, actual.Means);
        Assert.Equal(expected.Covariances, actual.Covariances);
    }

    [Theory]
    [InlineData(10)]  // stopped in the first initialization: the later ones draw from the replayed random state
    [InlineData(75)]  // stopped in a later initialization: the best so far comes from the file
    public void A_stopped_fit_resumes_to_the_uninterrupted_result(int stopAt)
    {
        using var folder = new TemporaryFolder("gmm-checkpoint");
        string path = folder.Combine("fit.checkpoint");
        GaussianMixture uninterrupted = new GaussianMixture(Options(null)).Fit(s_x);
        List<GmmProgress> before = FitAndStop(path, stopAt);
        Assert.True(File.Exists(path));

        var after = new List<GmmProgress>();
        GaussianMixture resumed = new GaussianMixture(Options(path)).Fit(s_x, new SynchronousProgress(after.Add));
        AssertBitwiseEqual(uninterrupted, resumed);

        // It went on from the last checkpoint (every 4 iterations), not from the start.
        GmmProgress last = before[^1];
        Assert.Equal(last.Initialization, after[0].Initialization);
        Assert.Equal((last.Iteration / 4 * 4) + 1, after[0].Iteration);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_stopped_float32_fit_resumes_to_the_uninterrupted_float32_result()
    {
        using var folder = new TemporaryFolder("gmm-checkpoint");
        string path = folder.Combine("fit.checkpoint");
        GaussianMixture uninterrupted = new GaussianMixture(Options(null, ComputePrecision.Single)).Fit(s_x);
        Assert.Equal("float32", uninterrupted.ComputeType);
        FitAndStop(path, 30, ComputePrecision.Single);
        Assert.True(File.Exists(path));

        GaussianMixture resumed = new GaussianMixture(Options(path, ComputePrecision.Single)).Fit(s_x);
        Assert.Equal("float32", resumed.ComputeType);
        AssertBitwiseEqual(uninterrupted, resumed);
        Assert.False(File.Exists(path));
    }

    /// <summary>A float32 fit and a float64 fit of the same data end in different results: neither resumes from the other's file.</summary>
    [Theory]
    [InlineData(ComputePrecision.Auto, ComputePrecision.Single)]
    [InlineData(ComputePrecision.Single, ComputePrecision.Double)]
    public void A_checkpoint_of_the_other_precision_is_refused(ComputePrecision written, ComputePrecision read) =>
        AssertRefused(written, path => new GaussianMixture(Options(path, read)).Fit(s_x));

    [Fact]
    public void A_fit_over_ranks_resumes_to_the_uninterrupted_result()
    {
        using var folder = new TemporaryFolder("gmm-checkpoint");
        string path = folder.Combine("fit.checkpoint");
        GaussianMixture uninterrupted = new GaussianMixture(Options(null)).Fit(s_x);
        var stopped = ThreadWorld.Run(2, rank =>
        {
            using var stop = new CancellationTokenSource();
            int reports = 0;
            return new GaussianMixture(Options(path)).Fit(s_x, new SynchronousProgress(_ => { if (++reports == 30) { stop.Cancel(); } }), stop.Token);
        });
        Assert.All(stopped, o => Assert.IsAssignableFrom<OperationCanceledException>(o.Exception));
        Assert.True(File.Exists(path));

        var resumed = ThreadWorld.Run(2, rank => new GaussianMixture(Options(path)).Fit(s_x));
        foreach (var outcome in resumed)
        {
            Assert.Equal(uninterrupted.Iterations, outcome.Result.Iterations);
            Assert.True(Math.Abs(uninterrupted.LowerBound - outcome.Result.LowerBound) <= 1e-12 * Math.Abs(uninterrupted.LowerBound));
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_checkpoint_of_other_data_is_refused() =>
        AssertRefused(ComputePrecision.Auto, path => new GaussianMixture(Options(path)).Fit(Blobs(3000, 18)));

    /// <summary>Stops a fit that computes in <paramref name="written"/> with checkpoints; <paramref name="otherFit"/>, given the file, must refuse it and leave it.</summary>
    private static void AssertRefused(ComputePrecision written, Action<string> otherFit)
    {
        using var folder = new TemporaryFolder("gmm-checkpoint");
        string path = folder.Combine("fit.checkpoint");
        FitAndStop(path, 10, written);
        var e = Assert.Throws<InvalidDataException>(() => otherFit(path));
        Assert.Contains("other data or other options", e.Message);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_refused()
    {
        using var folder = new TemporaryFolder("gmm-checkpoint");
        string path = folder.Combine("fit.checkpoint");
        File.WriteAllText(path, "not a checkpoint at all");
        Assert.Throws<InvalidDataException>(() => new GaussianMixture(Options(path)).Fit(s_x));
    }

    [Fact]
    public void Checkpoint_options_are_checked()
    {
        Assert.Equal("CheckpointInterval", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixtureOptions { CheckpointInterval = 0 }).ParamName);
        Assert.Equal("CheckpointPath", Assert.Throws<ArgumentException>(() => new GaussianMixtureOptions { CheckpointPath = " " }).ParamName);
    }

    private sealed class SynchronousProgress(Action<GmmProgress> report) : IProgress<GmmProgress>
    {
        public void Report(GmmProgress value) => report(value);
    }
}
