using Specialize.Glm;
using Xunit;

namespace Specialize.Tests.Glm;

/// <summary>Bad input gets an exception naming the argument, and leaves a fitted model as it was.</summary>
public class LogisticRegressionValidationTests
{
    private static readonly double[,] s_x = { { 0.0, 1.0 }, { 1.0, 0.5 }, { 2.0, -1.0 }, { 3.0, 0.0 } };
    private static readonly int[] s_y = [0, 1, 0, 1];

    [Fact]
    public void Null_arguments_are_named()
    {
        var model = new LogisticRegression();
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => model.Fit((double[,])null!, s_y)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => model.Fit((float[,])null!, s_y)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => model.Fit(s_x, null!)).ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_value_that_is_not_finite_is_named_with_its_row_and_column(double bad)
    {
        var x = (double[,])s_x.Clone();
        x[2, 1] = bad;
        var e = Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(x, s_y));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("row 2, column 1", e.Message);
    }

    [Fact]
    public void A_float_value_that_is_not_finite_is_named()
    {
        var x = new float[,] { { 0f, 1f }, { 1f, float.NaN }, { 2f, 0f }, { 3f, 1f } };
        var e = Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(x, s_y));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("row 1, column 1", e.Message);
    }

    [Fact]
    public void Labels_of_another_length_than_the_rows_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(s_x, [0, 1, 0]));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("one label per row of x (4), got 3", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void One_class_only_is_refused(int label)
    {
        var e = Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(s_x, [label, label, label, label]));
        Assert.Equal("y", e.ParamName);
        Assert.Contains($"every label is {label}", e.Message);
    }

    [Fact]
    public void A_label_other_than_0_and_1_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(s_x, [0, 1, 2, 1]));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("label 2 is 2", e.Message);
    }

    [Fact]
    public void Empty_data_is_refused()
    {
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(new double[0, 3], [])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(new double[4, 0], s_y)).ParamName);
    }

    [Fact]
    public void Options_out_of_range_are_refused_when_set()
    {
        Assert.Equal("C", Assert.Throws<ArgumentOutOfRangeException>(() => new LogisticRegressionOptions { C = 0 }).ParamName);
        Assert.Equal("C", Assert.Throws<ArgumentOutOfRangeException>(() => new LogisticRegressionOptions { C = double.NaN }).ParamName);
        Assert.Equal("Tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new LogisticRegressionOptions { Tolerance = -1 }).ParamName);
        Assert.Equal("MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new LogisticRegressionOptions { MaxIterations = 0 }).ParamName);
    }

    [Fact]
    public void An_unfitted_model_says_so()
    {
        var model = new LogisticRegression();
        Assert.False(model.IsFitted);
        Assert.Contains("not fitted", Assert.Throws<InvalidOperationException>(() => model.Coefficients).Message);
        Assert.Throws<InvalidOperationException>(() => model.Intercept);
        Assert.Throws<InvalidOperationException>(() => model.Predict(s_x));
    }

    [Fact]
    public void Prediction_needs_the_fitted_number_of_columns()
    {
        var model = new LogisticRegression().Fit(s_x, s_y);
        var e = Assert.Throws<ArgumentException>(() => model.PredictProbabilities(new double[2, 3]));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("Expected 2 columns", e.Message);
    }

    [Fact]
    public void Bad_input_leaves_a_fitted_model_as_it_was()
    {
        var model = new LogisticRegression().Fit(s_x, s_y);
        double[] before = model.Coefficients;
        Assert.Throws<ArgumentException>(() => model.Fit(s_x, [1, 1, 1, 1]));
        Assert.Equal(before, model.Coefficients);
    }
}
