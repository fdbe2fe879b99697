using System.Runtime.CompilerServices;
using System;
using System.Numerics;
using System.Threading;
using Specialize.Distributed;

namespace Specialize.Glm;

/// <summary>
/// Binary logistic regression with an L2 penalty and an unpenalized intercept, fitted by Newton's method on row blocks:
/// the objective, its <see cref="LogisticRegressionOptions.C"/>, the stopping rule and the line search are those of
/// scikit-learn's <c>LogisticRegression(solver="newton-cholesky")</c>, which it matches to about 1e-6 relative (tested
/// against scikit-learn's own results).
/// </summary>
/// <remarks>
/// <para>The fit minimizes <c>C * sum_i [log(1 + exp(z_i)) - y_i z_i] + ||w||^2 / 2</c> with <c>z_i = x_i . w + b</c>.
/// Each Newton step makes one pass over the rows for the log-loss and the gradient <c>X^T (mu - y)</c> at each trial
/// point of the line search, and one for the Hessian <c>X^T S X</c> (the Gaussian mixture's SYRK covariance kernel),
/// block by block; the <c>(D + 1) x (D + 1)</c> system is solved locally by Cholesky.</para>
/// <para>Under MPI (<see cref="Cluster"/>) the rows are sharded over the ranks, each rank holding all of <c>x</c> as an
/// SPMD program does and computing its pieces; the partial sums are combined in piece order, so every rank gets the
/// one-process coefficients, bit for bit.</para>
/// </remarks>
public sealed class LogisticRegression
{
    private readonly LogisticRegressionOptions options;
    private double[]? coefficients;
    private double intercept;

    /// <summary>Creates an unfitted model.</summary>
    /// <param name="options">The settings; <see langword="null"/> for the defaults.</param>
    public LogisticRegression(LogisticRegressionOptions? options = null)
    {
        this.options = options ?? new LogisticRegressionOptions();
    }

    /// <summary>The settings of this model.</summary>
    public LogisticRegressionOptions Options => options;

    /// <summary>Whether <see cref="Fit(double[,], int[], IProgress{LogisticRegressionProgress}?, CancellationToken)"/> has completed.</summary>
    public bool IsFitted => coefficients is not null;

    /// <summary>The coefficients of the features (<c>coef_[0]</c>), one per column of <c>x</c>; a copy.</summary>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public double[] Coefficients => (double[])Fitted.Clone();

    /// <summary>The intercept (<c>intercept_[0]</c>).</summary>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public double Intercept => coefficients is null ? throw NotFitted() : intercept;

    /// <summary>Newton iterations the last fit ran (<c>n_iter_</c>).</summary>
    public int Iterations { get; private set; }

    /// <summary>Whether the last fit met <see cref="LogisticRegressionOptions.Tolerance"/> within <see cref="LogisticRegressionOptions.MaxIterations"/> iterations (and its line search found a decrease at every step).</summary>
    public bool Converged { get; private set; }

    /// <summary>The number of MPI ranks the last fit's rows were sharded over (1 for one process).</summary>
    public int Ranks { get; private set; }

    /// <summary>The device the last fit computed its passes over the rows on: <c>"cpu"</c>, <c>"ilgpu-cpu"</c> or <c>"cuda:N"</c> (see <see cref="LogisticRegressionOptions.Device"/>); <c>"cpu"</c> before a fit.</summary>
    public string Device { get; private set; } = "cpu";

    private double[] Fitted => coefficients ?? throw NotFitted();

    /// <summary>Fits the model.</summary>
    /// <param name="x">The features, <c>N x D</c>, every value finite.</param>
    /// <param name="y">The labels, 0 or 1, one per row of <paramref name="x"/>, both classes present.</param>
    /// <param name="progress">Told after every Newton iteration; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the fit at the next pass over the rows, leaving the model as it was.</param>
    /// <returns>This model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="y"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty or holds NaN or an infinity; <paramref name="y"/> has another length than <paramref name="x"/> has rows, holds a label other than 0 and 1, or only one class.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the model is unchanged.</exception>
    public LogisticRegression Fit(double[,] x, int[] y, IProgress<LogisticRegressionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        CheckRows(x, nameof(x));
        return FitCore(x, y, progress, cancellationToken);
    }

    /// <summary>Fits the model to single-precision features, which are widened exactly: the fit computes in float64 as from <see cref="Fit(double[,], int[], IProgress{LogisticRegressionProgress}?, CancellationToken)"/>.</summary>
    /// <param name="x">The features, <c>N x D</c>, every value finite.</param>
    /// <param name="y">The labels, 0 or 1, one per row of <paramref name="x"/>, both classes present.</param>
    /// <param name="progress">Told after every Newton iteration; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the fit at the next pass over the rows, leaving the model as it was.</param>
    /// <returns>This model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="y"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty or holds NaN or an infinity; <paramref name="y"/> has another length than <paramref name="x"/> has rows, holds a label other than 0 and 1, or only one class.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the model is unchanged.</exception>
    public LogisticRegression Fit(float[,] x, int[] y, IProgress<LogisticRegressionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        CheckRows(x, nameof(x));
        return FitCore(x, y, progress, cancellationToken);
    }

    /// <summary>The probability of class 1 for each row: <c>1 / (1 + exp(-(x . w + b)))</c>.</summary>
    /// <param name="x">Rows with as many columns as the data the model was fitted to, every value finite.</param>
    /// <returns>One probability per row.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has another number of columns than the fitted data, or holds NaN or an infinity.</exception>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public double[] PredictProbabilities(double[,] x)
    {
        double[] z = DecisionFunction(x);
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = z[i] >= 0 ? 1.0 / (1.0 + Math.Exp(-z[i])) : Math.Exp(z[i]) / (1.0 + Math.Exp(z[i]));
        }

        return z;
    }

    /// <summary>The predicted label of each row: 1 where <c>x . w + b &gt; 0</c> (a probability of class 1 above one half), otherwise 0.</summary>
    /// <param name="x">Rows with as many columns as the data the model was fitted to, every value finite.</param>
    /// <returns>One label per row.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has another number of columns than the fitted data, or holds NaN or an infinity.</exception>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public int[] Predict(double[,] x)
    {
        double[] z = DecisionFunction(x);
        var labels = new int[z.Length];
        for (int i = 0; i < z.Length; i++)
        {
            labels[i] = z[i] > 0 ? 1 : 0;
        }

        return labels;
    }

    /// <summary>The linear predictor <c>x . w + b</c> of each row (<c>decision_function</c>).</summary>
    /// <param name="x">Rows with as many columns as the data the model was fitted to, every value finite.</param>
    /// <returns>One value per row.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has another number of columns than the fitted data, or holds NaN or an infinity.</exception>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public double[] DecisionFunction(double[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        double[] w = Fitted;
        int n = x.GetLength(0), d = x.GetLength(1);
        if (d != w.Length)
        {
            throw new ArgumentException($"Expected {w.Length} columns, as the data the model was fitted to, got {d}.", nameof(x));
        }

        var z = new double[n];
        for (int r = 0; r < n; r++)
        {
            double sum = intercept;
            for (int i = 0; i < d; i++)
            {
                double v = x[r, i];
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"Expected finite values; row {r}, column {i} is {v}.", nameof(x));
                }

                sum += w[i] * v;
            }

            z[r] = sum;
        }

        return z;
    }

    private static InvalidOperationException NotFitted() =>
        new("This LogisticRegression is not fitted yet; call Fit before using the model.");

    // Every rank reads all rows here on each fit: compiled optimized from the first call, as a rank started with
    // DOTNET_PROCESSOR_COUNT=1 waits ten times longer before the runtime recompiles a method.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckRows<T>(T[,] x, string paramName)
        where T : INumberBase<T>
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        if (n < 1 || d < 1)
        {
            throw new ArgumentException($"Expected at least one row and one column, got {n} x {d}.", paramName);
        }

        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < d; i++)
            {
                if (!T.IsFinite(x[r, i]))
                {
                    throw new ArgumentException($"Expected finite values; row {r}, column {i} is {x[r, i]}.", paramName);
                }
            }
        }
    }

    private static void CheckLabels(int[] y, int rows)
    {
        if (y.Length != rows)
        {
            throw new ArgumentException($"Expected one label per row of x ({rows}), got {y.Length}.", nameof(y));
        }

        int ones = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] is not (0 or 1))
            {
                throw new ArgumentException($"Expected labels 0 or 1; label {i} is {y[i]}.", nameof(y));
            }

            ones += y[i];
        }

        if (ones == 0 || ones == y.Length)
        {
            throw new ArgumentException($"Expected both classes; every label is {(ones == 0 ? 0 : 1)}, and a logistic regression needs rows of class 0 and of class 1.", nameof(y));
        }
    }

    // Everything is checked, and the fit computed into locals, before the model changes: bad input or a cancellation
    // leaves it as it was.
    private LogisticRegression FitCore<T>(T[,] x, int[] y, IProgress<LogisticRegressionProgress>? progress, CancellationToken cancellationToken)
        where T : unmanaged, INumberBase<T>
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        CheckLabels(y, n);
        using var blocks = LogisticBlocks.Create(x, y, options.Device, cancellationToken);
        var solver = new NewtonSolver(blocks, options.C, options.Tolerance, options.MaxIterations, progress);
        double[] w = solver.Solve();
        coefficients = w.AsSpan(0, d).ToArray();
        intercept = w[d];
        Iterations = solver.Iterations;
        Converged = solver.Converged;
        Ranks = blocks.Ranks;
        Device = blocks.Device.Id;
        return this;
    }
}
