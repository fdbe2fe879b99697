using Specialize.Mixture;
using Xunit;

namespace Specialize.Tests.Mixture;

/// <summary>
/// Every <see cref="GaussianMixture"/> method that takes data takes <c>float[,]</c> as well as <c>double[,]</c> (and the
/// converted <see cref="GmmData"/>): a float is widened to double exactly, so float rows give bit for bit what the same
/// values as doubles give, and bad float input is rejected naming the argument.
/// </summary>
public sealed class SinglePrecisionInputTests
{
    private static float[,] Blobs(int n = 300, int d = 3)
    {
        var random = new Random(11);
        var x = new float[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = (float)(random.NextDouble() + (i % 3) * 4 + j);
            }
        }

        return x;
    }

    private static double[,] Widened(float[,] x)
    {
        var result = new double[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int j = 0; j < x.GetLength(1); j++)
            {
                result[i, j] = x[i, j];
            }
        }

        return result;
    }

    private static GaussianMixture Fitted(int d = 3) =>
        new GaussianMixture(new GaussianMixtureOptions { Components = 3, Seed = 2, TuningStore = TestStores.Scratch }).Fit(Blobs(d: d));

    [Fact]
    public void Float_rows_give_what_the_same_values_as_doubles_give_in_every_method()
    {
        GaussianMixture gmm = Fitted();
        float[,] single = Blobs(n: 90);
        double[,] widened = Widened(single);
        GmmData data = GmmData.FromMatrix(single);

        Assert.Equal(gmm.Predict(widened), gmm.Predict(single));
        Assert.Equal(gmm.Predict(widened), gmm.Predict(data));
        Assert.Equal(gmm.PredictProbabilities(widened), gmm.PredictProbabilities(single));
        Assert.Equal(gmm.PredictProbabilities(widened), gmm.PredictProbabilities(data));
        Assert.Equal(gmm.ScoreSamples(widened), gmm.ScoreSamples(single));
        Assert.Equal(gmm.ScoreSamples(widened), gmm.ScoreSamples(data));
        Assert.Equal(gmm.Score(widened), gmm.Score(single));
        Assert.Equal(gmm.Score(widened), gmm.Score(data));
        Assert.Equal(gmm.Bic(widened), gmm.Bic(single));
        Assert.Equal(gmm.Bic(widened), gmm.Bic(data));
        Assert.Equal(gmm.Aic(widened), gmm.Aic(single));
        Assert.Equal(gmm.Aic(widened), gmm.Aic(data));
    }

    [Fact]
    public void Float_rows_are_labelled_by_the_blob_they_come_from()
    {
        // Three well separated blobs (centres 4 apart, spread 1): each row's label is shared by the rows of its blob.
        GaussianMixture gmm = Fitted();
        int[] labels = gmm.Predict(Blobs());
        for (int i = 3; i < labels.Length; i++)
        {
            Assert.Equal(labels[i % 3], labels[i]);
        }

        Assert.Equal(3, labels.Take(3).Distinct().Count());
        double[,] probabilities = gmm.PredictProbabilities(Blobs(n: 6));
        for (int i = 0; i < 6; i++)
        {
            Assert.True(probabilities[i, labels[i % 3]] > 0.99, $"row {i}: {probabilities[i, labels[i % 3]]}");
        }
    }

    /// <summary>One data-taking method called with float rows, shown by its name in test results.</summary>
    public sealed record DataMethod(string Name, Func<GaussianMixture, float[,], object> Call)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<DataMethod> Methods() => new()
    {
        new DataMethod(nameof(GaussianMixture.Predict), static (g, x) => g.Predict(x)),
        new DataMethod(nameof(GaussianMixture.PredictProbabilities), static (g, x) => g.PredictProbabilities(x)),
        new DataMethod(nameof(GaussianMixture.ScoreSamples), static (g, x) => g.ScoreSamples(x)),
        new DataMethod(nameof(GaussianMixture.Score), static (g, x) => g.Score(x)),
        new DataMethod(nameof(GaussianMixture.Bic), static (g, x) => g.Bic(x)),
        new DataMethod(nameof(GaussianMixture.Aic), static (g, x) => g.Aic(x)),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void Float_rows_with_the_wrong_column_count_are_rejected_naming_x(DataMethod method)
    {
        var ex = Assert.Throws<ArgumentException>(() => method.Call(Fitted(), Blobs(n: 5, d: 2)));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("Expected 3 columns", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Float_rows_holding_NaN_are_rejected_naming_x(DataMethod method)
    {
        float[,] x = Blobs(n: 5);
        x[2, 1] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(() => method.Call(Fitted(), x));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("finite", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Null_float_rows_are_rejected_naming_x(DataMethod method)
    {
        var ex = Assert.Throws<ArgumentNullException>(() => method.Call(Fitted(), null!));
        Assert.Equal("x", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void An_unfitted_model_refuses_float_rows(DataMethod method)
    {
        var gmm = new GaussianMixture(new GaussianMixtureOptions { Components = 3, TuningStore = TestStores.Scratch });
        Assert.Throws<InvalidOperationException>(() => method.Call(gmm, Blobs(n: 5)));
    }

    [Fact]
    public void Converted_data_with_the_wrong_dimension_is_rejected_naming_data()
    {
        GmmData data = GmmData.FromMatrix(Blobs(n: 5, d: 2));
        GaussianMixture gmm = Fitted();
        var ex = Assert.Throws<ArgumentException>(() => gmm.Bic(data));
        Assert.Equal("data", ex.ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => gmm.Predict((GmmData)null!)).ParamName);
    }
}
