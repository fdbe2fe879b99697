using System;

namespace Specialize.Glm;

/// <summary>
/// Settings of a <see cref="LogisticRegression"/>, named after scikit-learn's <c>LogisticRegression</c> parameters
/// with <c>solver="newton-cholesky"</c> and with the same defaults. Properties are init-only, as in every Specialize
/// options type; range checks run when a property is set.
/// </summary>
public sealed class LogisticRegressionOptions
{
    private readonly double c = 1.0;
    private readonly double tolerance = 1e-4;
    private readonly int maxIterations = 100;

    /// <summary>
    /// Inverse of the L2 penalty's strength (<c>C</c>): the fit minimizes
    /// <c>C * sum_i logloss_i + ||w||^2 / 2</c>, the intercept not penalized. Positive and finite. Default 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive, NaN or infinite.</exception>
    public double C
    {
        get => c;
        init => c = value > 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(C), value, "C must be a finite number > 0.");
    }

    /// <summary>
    /// Newton's method stops when the largest absolute value of the gradient of the objective divided by the number of
    /// rows, and half the squared Newton decrement, are both at most this (<c>tol</c>, scikit-learn's criteria). The
    /// step that satisfies them is still taken. Non-negative and finite. Default 1e-4.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double Tolerance
    {
        get => tolerance;
        init => tolerance = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "Tolerance must be a finite number >= 0.");
    }

    /// <summary>Most Newton iterations (<c>max_iter</c>). At least 1. Default 100.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxIterations
    {
        get => maxIterations;
        init => maxIterations = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "MaxIterations must be at least 1.");
    }
}
