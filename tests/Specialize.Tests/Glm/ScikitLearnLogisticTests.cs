using Specialize.Glm;
using Xunit;

namespace Specialize.Tests.Glm;

/// <summary>The fit against scikit-learn 1.2.1's <c>LogisticRegression(solver="newton-cholesky")</c> (Fixtures/).</summary>
public class ScikitLearnLogisticTests
{
    /// <summary>Every coefficient and the intercept within <paramref name="tolerance"/> of scikit-learn's, relative to the largest of them.</summary>
    internal static void AssertCoefficients(LogisticFixture fixture, LogisticRegression model, double tolerance = 1e-6)
    {
        double[] expected = [.. fixture.Coefficients, fixture.Intercept];
        double[] actual = [.. model.Coefficients, model.Intercept];
        Assert.Equal(expected.Length, actual.Length);
        double largest = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * largest, $"coefficient {i}: {actual[i]:R} vs scikit-learn's {expected[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(LogisticFixture.All), MemberType = typeof(LogisticFixture))]
    public void Coefficients_match_scikit_learn(string name)
    {
        var fixture = LogisticFixture.Load(name);
        var model = new LogisticRegression(new LogisticRegressionOptions { C = fixture.C, Tolerance = 1e-8 }).Fit(fixture.X, fixture.Y);
        Assert.True(model.Converged);
        AssertCoefficients(fixture, model);
    }

    [Theory]
    [MemberData(nameof(LogisticFixture.All), MemberType = typeof(LogisticFixture))]
    public void Coefficients_match_scikit_learn_at_its_own_tolerance(string name)
    {
        var fixture = LogisticFixture.Load(name);
        var model = new LogisticRegression(new LogisticRegressionOptions { C = fixture.C, Tolerance = fixture.Tolerance }).Fit(fixture.X, fixture.Y);
        Assert.True(model.Converged);
        AssertCoefficients(fixture, model, 1e-9);
    }

    [Theory]
    [MemberData(nameof(LogisticFixture.All), MemberType = typeof(LogisticFixture))]
    public void The_stopping_rule_takes_scikit_learns_iterations(string name)
    {
        var fixture = LogisticFixture.Load(name);
        foreach (var (tolerance, key) in new[] { (1e-4, "0.0001"), (1e-8, "1e-08") })
        {
            var model = new LogisticRegression(new LogisticRegressionOptions { C = fixture.C, Tolerance = tolerance }).Fit(fixture.X, fixture.Y);
            Assert.Equal(fixture.IterationsAt(key), model.Iterations);
        }
    }

    [Theory]
    [MemberData(nameof(LogisticFixture.All), MemberType = typeof(LogisticFixture))]
    public void Probabilities_and_predictions_match_scikit_learn(string name)
    {
        var fixture = LogisticFixture.Load(name);
        var model = new LogisticRegression(new LogisticRegressionOptions { C = fixture.C, Tolerance = 1e-8 }).Fit(fixture.X, fixture.Y);
        double[,] x = fixture.X;
        var first = new double[10, x.GetLength(1)];
        Array.Copy(x, first, first.Length);
        double[] expected = Specialize.Fixtures.JsonArrays.Vector(fixture.Expected.GetProperty("predict_proba_first_rows"));
        double[] probabilities = model.PredictProbabilities(first);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - probabilities[i]) <= 1e-6, $"row {i}: {probabilities[i]:R} vs {expected[i]:R}");
        }

        Assert.Equal(fixture.Expected.GetProperty("predict_first_rows").EnumerateArray().Select(e => e.GetInt32()), model.Predict(first));
    }

    [Fact]
    public void Float_rows_fit_as_the_same_rows_widened()
    {
        var fixture = LogisticFixture.Load("synthetic-3000-12-s7-C1");
        double[,] x = fixture.X;
        var single = new float[x.GetLength(0), x.GetLength(1)];
        var widened = new double[x.GetLength(0), x.GetLength(1)];
        for (int r = 0; r < x.GetLength(0); r++)
        {
            for (int i = 0; i < x.GetLength(1); i++)
            {
                single[r, i] = (float)x[r, i];
                widened[r, i] = single[r, i];
            }
        }

        var options = new LogisticRegressionOptions { Tolerance = 1e-8 };
        var fromSingle = new LogisticRegression(options).Fit(single, fixture.Y);
        var fromDouble = new LogisticRegression(options).Fit(widened, fixture.Y);
        Assert.Equal(fromDouble.Coefficients, fromSingle.Coefficients);
        Assert.Equal(fromDouble.Intercept, fromSingle.Intercept);

        // Rounding the features to float moves the optimum by about float's precision, not more.
        AssertCoefficients(fixture, fromSingle, 1e-4);
    }
}
