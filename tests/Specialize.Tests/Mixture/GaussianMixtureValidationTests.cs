using Specialize.Mixture;
using Xunit;

namespace Specialize.Tests.Mixture;

public sealed class GaussianMixtureValidationTests
{
    private static double[,] Data(int n = 20, int d = 2)
    {
        var random = new Random(3);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = random.NextDouble() + (i % 2) * 5;
            }
        }

        return x;
    }

    private static GaussianMixtureOptions Options(int m = 2) => new() { Components = m, Seed = 1, TuningStore = TestStores.Scratch };

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Fit_rejects_non_finite_values_naming_x(double bad)
    {
        var x = Data();
        x[4, 1] = bad;
        var ex = Assert.Throws<ArgumentException>(() => new GaussianMixture(Options()).Fit(x));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("finite", ex.Message);
    }

    [Fact]
    public void Fit_rejects_fewer_rows_than_components()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GaussianMixture(Options(m: 5)).Fit(Data(n: 4)));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("Components", ex.Message);
    }

    [Fact]
    public void Predict_rejects_wrong_column_count()
    {
        var gmm = new GaussianMixture(Options()).Fit(Data());
        var ex = Assert.Throws<ArgumentException>(() => gmm.Predict(Data(d: 3)));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("Expected 2 columns", ex.Message);
    }

    [Fact]
    public void Using_an_unfitted_model_throws_invalid_operation()
    {
        var gmm = new GaussianMixture(Options());
        Assert.Throws<InvalidOperationException>(() => gmm.Predict(Data()));
        Assert.Throws<InvalidOperationException>(() => gmm.Score(Data()));
        Assert.Throws<InvalidOperationException>(() => gmm.Weights);
        Assert.Throws<InvalidOperationException>(() => gmm.Sample(3));
    }

    [Fact]
    public void Non_positive_options_throw_naming_the_property()
    {
        Assert.Equal("Components", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixtureOptions { Components = 0 }).ParamName);
        Assert.Equal("MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixtureOptions { MaxIterations = 0 }).ParamName);
        Assert.Equal("Initializations", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixtureOptions { Initializations = -1 }).ParamName);
        Assert.Equal("Tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixtureOptions { Tolerance = -1e-3 }).ParamName);
        Assert.Equal("Regularization", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixtureOptions { Regularization = double.NaN }).ParamName);
        Assert.Equal("CovarianceType", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixtureOptions { CovarianceType = (CovarianceType)9 }).ParamName);
    }

    [Fact]
    public void Defaults_are_scikit_learns()
    {
        var o = new GaussianMixtureOptions();
        Assert.Equal(1, o.Components);
        Assert.Equal(CovarianceType.Full, o.CovarianceType);
        Assert.Equal(1e-3, o.Tolerance);
        Assert.Equal(1e-6, o.Regularization);
        Assert.Equal(100, o.MaxIterations);
        Assert.Equal(1, o.Initializations);
        Assert.Equal(GmmInit.KMeans, o.Init);
        Assert.False(o.WarmStart);
    }

    [Fact]
    public void Wrongly_shaped_means_init_throws_naming_it()
    {
        var options = new GaussianMixtureOptions { Components = 2, MeansInit = new double[3, 2], TuningStore = TestStores.Scratch };
        var ex = Assert.Throws<ArgumentException>(() => new GaussianMixture(options).Fit(Data()));
        Assert.Equal("MeansInit", ex.ParamName);
        Assert.Contains("2 x 2", ex.Message);
    }

    [Fact]
    public void Wrongly_shaped_precisions_init_throws_naming_it()
    {
        var options = new GaussianMixtureOptions { Components = 2, PrecisionsInit = new double[2, 2], TuningStore = TestStores.Scratch };
        var ex = Assert.Throws<ArgumentException>(() => new GaussianMixture(options).Fit(Data()));
        Assert.Equal("PrecisionsInit", ex.ParamName);
        Assert.Contains("double[2, 2, 2]", ex.Message);
    }

    [Fact]
    public void Weights_init_of_wrong_length_or_sum_throws_naming_it()
    {
        var wrongLength = new GaussianMixtureOptions { Components = 2, WeightsInit = [1.0], TuningStore = TestStores.Scratch };
        Assert.Equal("WeightsInit", Assert.Throws<ArgumentException>(() => new GaussianMixture(wrongLength).Fit(Data())).ParamName);
        var wrongSum = new GaussianMixtureOptions { Components = 2, WeightsInit = [0.5, 0.6], TuningStore = TestStores.Scratch };
        Assert.Equal("WeightsInit", Assert.Throws<ArgumentException>(() => new GaussianMixture(wrongSum).Fit(Data())).ParamName);
    }

    [Fact]
    public void Unknown_variant_throws_listing_the_known_ones()
    {
        var options = new GaussianMixtureOptions { Components = 2, Variant = "V9", TuningStore = TestStores.Scratch };
        var ex = Assert.Throws<ArgumentException>(() => new GaussianMixture(options).Fit(Data()));
        Assert.Equal("Variant", ex.ParamName);
        Assert.Contains("V4-B32", ex.Message);
        Assert.Contains("Syrk", ex.Message);
    }

    [Fact]
    public void Sample_rejects_non_positive_count()
    {
        var gmm = new GaussianMixture(Options()).Fit(Data());
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => gmm.Sample(0)).ParamName);
    }
}
