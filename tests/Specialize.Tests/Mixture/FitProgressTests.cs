using Microsoft.Extensions.Logging;
using Specialize.Mixture;
using Xunit;

namespace Specialize.Tests.Mixture;

/// <summary>
/// <see cref="GaussianMixture.Fit(double[,], IProgress{GmmProgress}?, CancellationToken)"/>: progress after every EM
/// iteration, cancellation that leaves the model as it was, and scikit-learn's ConvergenceWarning when EM stops at
/// <see cref="GaussianMixtureOptions.MaxIterations"/> without converging.
/// </summary>
public sealed class FitProgressTests
{
    private static double[,] Blobs(int n = 400)
    {
        var random = new Random(5);
        var x = new double[n, 2];
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = random.NextDouble() + (i % 3) * 3;
            x[i, 1] = random.NextDouble() * 2 - (i % 3);
        }

        return x;
    }

    private static GaussianMixtureOptions Options(int maxIterations = 100, int initializations = 1, ILogger? logger = null, double tolerance = 1e-3) => new()
    {
        Components = 3,
        Seed = 4,
        MaxIterations = maxIterations,
        Initializations = initializations,
        Tolerance = tolerance,
        Logger = logger,
        TuningStore = TestStores.Scratch,
    };

    /// <summary>Reports synchronously (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
    private sealed class Recorder(Action<GmmProgress>? onReport = null) : IProgress<GmmProgress>
    {
        public List<GmmProgress> Reports { get; } = [];

        public void Report(GmmProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    [Fact]
    public void Progress_is_reported_after_every_iteration_of_every_initialization()
    {
        var progress = new Recorder();
        var gmm = new GaussianMixture(Options(initializations: 2)).Fit(Blobs(), progress);

        Assert.Equal(new[] { 1, 2 }, progress.Reports.Select(static r => r.Initialization).Distinct());
        foreach (int initialization in new[] { 1, 2 })
        {
            var reports = progress.Reports.Where(r => r.Initialization == initialization).ToList();
            Assert.Equal(Enumerable.Range(1, reports.Count), reports.Select(static r => r.Iteration));
            Assert.Equal(double.PositiveInfinity, reports[0].Change);
            for (int i = 1; i < reports.Count; i++)
            {
                Assert.Equal(reports[i].LowerBound - reports[i - 1].LowerBound, reports[i].Change);
            }

            // Converged: the last change is below the tolerance, and no earlier one was.
            Assert.True(Math.Abs(reports[^1].Change) < 1e-3);
            Assert.All(reports.SkipLast(1), static r => Assert.False(Math.Abs(r.Change) < 1e-3));
        }

        Assert.True(gmm.Converged);
        Assert.Contains(progress.Reports, r => r.Iteration == gmm.Iterations && r.LowerBound == gmm.LowerBound);
    }

    [Fact]
    public void Float_rows_and_converted_data_report_progress_too()
    {
        var fromFloats = new Recorder();
        var fromData = new Recorder();
        var x = new float[300, 1];
        for (int i = 0; i < 300; i++)
        {
            x[i, 0] = (i % 3) * 5 + (i % 7) * 0.1f;
        }

        new GaussianMixture(Options()).Fit(x, fromFloats);
        new GaussianMixture(Options()).Fit(GmmData.FromMatrix(x), fromData);
        Assert.NotEmpty(fromFloats.Reports);
        Assert.Equal(fromFloats.Reports, fromData.Reports);
    }

    [Fact]
    public void Cancelling_a_first_fit_leaves_the_model_unfitted()
    {
        using var source = new CancellationTokenSource();
        var progress = new Recorder(r => source.Cancel());
        var gmm = new GaussianMixture(Options());

        Assert.ThrowsAny<OperationCanceledException>(() => gmm.Fit(Blobs(), progress, source.Token));
        Assert.Single(progress.Reports);
        Assert.False(gmm.IsFitted);
        Assert.False(gmm.Converged);
        Assert.Equal(0, gmm.Iterations);
        Assert.Throws<InvalidOperationException>(() => gmm.Weights);
    }

    [Fact]
    public void Cancelling_a_refit_leaves_the_previous_fit_in_place()
    {
        // Tolerance 0: EM never converges, so the refit is still running when it is cancelled.
        var gmm = new GaussianMixture(Options(maxIterations: 5, tolerance: 0)).Fit(Blobs());
        double[] weights = gmm.Weights;
        double[,] means = gmm.Means;
        (bool converged, int iterations, double lowerBound) = (gmm.Converged, gmm.Iterations, gmm.LowerBound);
        int[] labels = gmm.Predict(Blobs());

        using var source = new CancellationTokenSource();
        var progress = new Recorder(r =>
        {
            if (r.Iteration == 2)
            {
                source.Cancel();
            }
        });
        double[,] other = Blobs(n: 200);
        other[0, 0] = 40;
        Assert.ThrowsAny<OperationCanceledException>(() => gmm.Fit(other, progress, source.Token));

        Assert.Equal(2, progress.Reports.Count);
        Assert.Equal(weights, gmm.Weights);
        Assert.Equal(means, gmm.Means);
        Assert.Equal((converged, iterations, lowerBound), (gmm.Converged, gmm.Iterations, gmm.LowerBound));
        Assert.Equal(labels, gmm.Predict(Blobs()));
    }

    [Fact]
    public void A_token_cancelled_before_the_fit_stops_it_before_any_iteration()
    {
        var progress = new Recorder();
        var gmm = new GaussianMixture(Options());
        Assert.ThrowsAny<OperationCanceledException>(() => gmm.Fit(Blobs(), progress, new CancellationToken(canceled: true)));
        Assert.Empty(progress.Reports);
        Assert.False(gmm.IsFitted);
    }

    [Fact]
    public void Bad_input_to_a_refit_leaves_the_previous_fit_in_place()
    {
        var gmm = new GaussianMixture(Options()).Fit(Blobs());
        double[] weights = gmm.Weights;
        var bad = Blobs(n: 50);
        bad[7, 1] = double.NaN;
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => gmm.Fit(bad)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => gmm.Fit(new double[2, 2])).ParamName);
        Assert.Equal(weights, gmm.Weights);
        Assert.True(gmm.Converged);
    }

    [Fact]
    public void Stopping_at_MaxIterations_without_converging_warns_through_the_logger_and_shows_on_the_model()
    {
        var logger = new ListLogger();
        var progress = new Recorder();
        var gmm = new GaussianMixture(Options(maxIterations: 2, logger: logger, tolerance: 0)).Fit(Blobs(), progress);

        Assert.False(gmm.Converged);
        Assert.Equal(2, gmm.Iterations);
        Assert.Equal(2, progress.Reports.Count);
        var (level, message) = Assert.Single(logger.Entries, static e => e.Level == LogLevel.Warning);
        Assert.Contains("did not converge", message);
        Assert.Contains("MaxIterations", message);
        Assert.Contains("2 iterations", message);
    }

    [Fact]
    public void A_converged_fit_does_not_warn()
    {
        var logger = new ListLogger();
        var gmm = new GaussianMixture(Options(logger: logger)).Fit(Blobs());

        Assert.True(gmm.Converged);
        Assert.InRange(gmm.Iterations, 2, 99);
        Assert.DoesNotContain(logger.Entries, static e => e.Level == LogLevel.Warning);
    }
}
