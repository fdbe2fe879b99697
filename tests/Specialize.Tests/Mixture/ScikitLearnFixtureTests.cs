using Xunit;
using Specialize.Mixture;

namespace Specialize.Tests.Mixture;

/// <summary>
/// EM from fixed initial parameters against scikit-learn 1.2.1's own results. The lower bound is
/// compared to 1e-12 relative: the sums run in another order than numpy's, so the last few bits
/// may differ, but nothing more. Fitted arrays are compared to 1e-6 relative.
/// </summary>
public sealed class ScikitLearnFixtureTests
{
    private const double Tight = 1e-12;
    private const double Loose = 1e-6;

    public static TheoryData<string> Fixtures() => GmmFixture.All();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Lower_bound_iterations_and_convergence_match_exactly(string name)
    {
        var f = GmmFixture.Load(name);
        var gmm = new GaussianMixture(f.Options()).Fit(f.X);

        Assert.Equal(f.Expected.GetProperty("n_iter").GetInt32(), gmm.Iterations);
        Assert.Equal(f.Expected.GetProperty("converged").GetBoolean(), gmm.Converged);
        AssertClose(f.Expected.GetProperty("lower_bound").GetDouble(), gmm.LowerBound, Tight);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fitted_parameters_match(string name)
    {
        var f = GmmFixture.Load(name);
        var gmm = new GaussianMixture(f.Options()).Fit(f.X);
        int m = gmm.Weights.Length, d = f.X.GetLength(1);

        AssertAll(GmmFixture.Vector(f.Expected.GetProperty("weights")), gmm.Weights, Loose);
        AssertAll(Flatten(GmmFixture.Matrix(f.Expected.GetProperty("means"))), Flatten(gmm.Means), Loose);
        AssertAll(Flatten(f.ExpandToFull(f.Expected.GetProperty("covariances"), m, d)), Flatten(gmm.Covariances), Loose);
        AssertAll(Flatten(f.ExpandToFull(f.Expected.GetProperty("precisions_cholesky"), m, d)), Flatten(gmm.PrecisionsCholesky), Loose);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Predictions_and_scores_match(string name)
    {
        var f = GmmFixture.Load(name);
        var x = f.X;
        var gmm = new GaussianMixture(f.Options()).Fit(x);

        var labels = f.Expected.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(labels, gmm.Predict(x));
        AssertClose(f.Expected.GetProperty("score").GetDouble(), gmm.Score(x), Loose);
        AssertClose(f.Expected.GetProperty("bic").GetDouble(), gmm.Bic(x), Loose);
        AssertClose(f.Expected.GetProperty("aic").GetDouble(), gmm.Aic(x), Loose);
        AssertAll(GmmFixture.Vector(f.Expected.GetProperty("score_samples")), gmm.ScoreSamples(x), Loose);

        var firstRows = GmmFixture.Matrix(f.Expected.GetProperty("predict_proba_first_rows"));
        var proba = gmm.PredictProbabilities(x);
        for (int i = 0; i < firstRows.GetLength(0); i++)
        {
            for (int k = 0; k < firstRows.GetLength(1); k++)
            {
                Assert.True(Math.Abs(firstRows[i, k] - proba[i, k]) <= 1e-6, $"proba[{i},{k}] {proba[i, k]} vs {firstRows[i, k]}");
            }
        }
    }

    /// <summary>Float rows computed in float64 (<see cref="ComputePrecision.Double"/>) fit exactly what their widening fits.</summary>
    [Fact]
    public void Single_precision_input_in_double_precision_fits_the_same_model_as_its_double_widening()
    {
        var f = GmmFixture.Load("iris-full-m3-s1");
        var x = f.X;
        var xf = new float[x.GetLength(0), x.GetLength(1)];
        var xd = new double[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int j = 0; j < x.GetLength(1); j++)
            {
                xf[i, j] = (float)x[i, j];
                xd[i, j] = xf[i, j];
            }
        }

        var options = f.Options();
        var a = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = options.Components,
            Tolerance = options.Tolerance,
            Regularization = options.Regularization,
            MaxIterations = options.MaxIterations,
            WeightsInit = options.WeightsInit,
            MeansInit = options.MeansInit,
            PrecisionsInit = options.PrecisionsInit,
            TuningStore = options.TuningStore,
            Precision = ComputePrecision.Double,
        }).Fit(xf);
        var b = new GaussianMixture(options).Fit(xd);
        Assert.Equal("float64", a.ComputeType);
        Assert.Equal(b.LowerBound, a.LowerBound);
        Assert.Equal(b.Iterations, a.Iterations);
    }

    internal static double[] Flatten(Array a)
    {
        var r = new double[a.Length];
        int i = 0;
        foreach (double v in a)
        {
            r[i++] = v;
        }

        return r;
    }

    internal static void AssertClose(double expected, double actual, double relative)
    {
        double scale = Math.Max(Math.Abs(expected), 1e-300);
        Assert.True(Math.Abs(expected - actual) <= relative * scale, $"expected {expected:R}, got {actual:R} (relative {Math.Abs(expected - actual) / scale:E2})");
    }

    /// <summary>Elementwise, relative to the largest magnitude of the expected array (so near-zero entries do not dominate).</summary>
    internal static void AssertAll(double[] expected, double[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (double v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double tol = relative * Math.Max(Math.Abs(expected[i]), 1e-3 * scale);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"[{i}] expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
