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
    private readonly string? device;

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

    /// <summary>
    /// Where the fused pass (log-loss, gradient <c>X^T (mu - y)</c>, curvatures) and the Hessian <c>X^T S X</c> of each
    /// row block are computed: <see langword="null"/> or <c>"cpu"</c> (the default) on the processor, the Hessian by the
    /// GMM's SYRK kernel; <c>"ilgpu-cpu"</c> (ILGPU's CPU accelerator, for tests) or <c>"cuda"</c> (the first CUDA GPU;
    /// the processor where there is none) by ILGPU kernels, the fused pass's own and the GMM's covariance kernel, the
    /// row blocks and the curvatures resident on the device for the fit. Each device rounds its own way: fits on
    /// different devices agree to about 1e-12, not bit for bit. Default <see langword="null"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not <c>cpu</c>, <c>ilgpu-cpu</c> or <c>cuda</c>.</exception>
    public string? Device
    {
        get => device;
        init => device = value is null || value.Trim().ToLowerInvariant() is "cpu" or "ilgpu-cpu" or "cuda" ? value
            : throw new ArgumentOutOfRangeException(nameof(Device), value, "Device must be cpu, ilgpu-cpu or cuda, or null for the processor.");
    }
}
