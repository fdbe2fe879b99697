using Specialize.Glm;
using Xunit;

namespace Specialize.Tests.Glm;

/// <summary>Progress after each Newton iteration, and cancellation that leaves the model as it was.</summary>
public class LogisticFitProgressTests
{
    private sealed class Recorder(Action<LogisticRegressionProgress>? also = null) : IProgress<LogisticRegressionProgress>
    {
        public List<LogisticRegressionProgress> Reports { get; } = [];

        public void Report(LogisticRegressionProgress value)
        {
            Reports.Add(value);
            also?.Invoke(value);
        }
    }

    [Fact]
    public void Every_iteration_is_reported_and_the_objective_decreases()
    {
        var fixture = LogisticFixture.Load("synthetic-3000-12-s7-C1");
        var recorder = new Recorder();
        var model = new LogisticRegression(new LogisticRegressionOptions { Tolerance = 1e-8 }).Fit(fixture.X, fixture.Y, recorder);
        Assert.Equal(Enumerable.Range(1, model.Iterations), recorder.Reports.Select(r => r.Iteration));
        for (int i = 1; i < recorder.Reports.Count; i++)
        {
            Assert.True(recorder.Reports[i].Objective <= recorder.Reports[i - 1].Objective);
        }

        Assert.Equal(1.0, recorder.Reports[^1].StepSize);
    }

    [Fact]
    public void A_cancelled_fit_throws_and_leaves_the_model_as_it_was()
    {
        var fixture = LogisticFixture.Load("synthetic-3000-12-s7-C1");
        var model = new LogisticRegression(new LogisticRegressionOptions { Tolerance = 1e-8, C = 0.5 }).Fit(fixture.X, fixture.Y);
        double[] before = model.Coefficients;
        int iterations = model.Iterations;
        using var stop = new CancellationTokenSource();
        var recorder = new Recorder(r =>
        {
            if (r.Iteration == 2)
            {
                stop.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => new LogisticRegression().Fit(fixture.X, fixture.Y, recorder, stop.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(fixture.X, fixture.Y, null, stop.Token));
        Assert.Equal(before, model.Coefficients);
        Assert.Equal(iterations, model.Iterations);
        Assert.Equal(2, recorder.Reports.Count);
    }

    [Fact]
    public void Too_few_iterations_end_unconverged()
    {
        var fixture = LogisticFixture.Load("breast_cancer-standardized-C1");
        var model = new LogisticRegression(new LogisticRegressionOptions { Tolerance = 1e-8, MaxIterations = 2 }).Fit(fixture.X, fixture.Y);
        Assert.False(model.Converged);
        Assert.Equal(2, model.Iterations);
    }
}
