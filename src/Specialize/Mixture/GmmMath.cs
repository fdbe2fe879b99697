using System;

namespace Specialize.Mixture;

/// <summary>Small dense linear algebra on row-major <c>D x D</c> matrices.</summary>
internal static class GmmMath
{
    internal const double Log2Pi = 1.8378770664093453; // log(2 * pi)

    /// <summary>Lower Cholesky factor of a symmetric matrix; false when it is not positive definite.</summary>
    internal static bool TryCholesky(ReadOnlySpan<double> a, Span<double> lower, int d)
    {
        lower.Slice(0, d * d).Clear();
        for (int j = 0; j < d; j++)
        {
            double s = a[j * d + j];
            for (int k = 0; k < j; k++)
            {
                s -= lower[j * d + k] * lower[j * d + k];
            }

            if (!(s > 0))
            {
                return false;
            }

            double ljj = Math.Sqrt(s);
            lower[j * d + j] = ljj;
            for (int i = j + 1; i < d; i++)
            {
                double t = a[i * d + j];
                for (int k = 0; k < j; k++)
                {
                    t -= lower[i * d + k] * lower[j * d + k];
                }

                lower[i * d + j] = t / ljj;
            }
        }

        return true;
    }

    /// <summary>
    /// scikit-learn's precision Cholesky of a covariance: <c>inv(chol(cov, lower))^T</c>, upper triangular,
    /// so that <c>precision = P P^T</c>.
    /// </summary>
    internal static void PrecisionCholeskyOfCovariance(ReadOnlySpan<double> cov, Span<double> precChol, int d)
    {
        Span<double> lower = d <= 32 ? stackalloc double[d * d] : new double[d * d];
        if (!TryCholesky(cov, lower, d))
        {
            throw new InvalidOperationException(
                "Fitting the mixture model failed because some components have ill-defined empirical covariance " +
                "(for instance caused by singleton or collapsed samples). Try to decrease the number of components, " +
                "or increase Regularization.");
        }

        // Solve L Y = I (forward substitution, column by column); precChol = Y^T.
        precChol.Slice(0, d * d).Clear();
        for (int c = 0; c < d; c++)
        {
            for (int i = c; i < d; i++)
            {
                double s = i == c ? 1.0 : 0.0;
                for (int k = c; k < i; k++)
                {
                    s -= lower[i * d + k] * precChol[c * d + k];
                }

                precChol[c * d + i] = s / lower[i * d + i]; // Y[i, c] stored transposed at [c, i]
            }
        }
    }

    /// <summary>Lower Cholesky factor of a given precision matrix, as scikit-learn does for <c>precisions_init</c>.</summary>
    internal static void CholeskyOfPrecision(ReadOnlySpan<double> precision, Span<double> lower, int d, string paramName)
    {
        if (!TryCholesky(precision, lower, d))
        {
            throw new ArgumentException("Expected symmetric positive-definite precision matrices.", paramName);
        }
    }

    /// <summary>
    /// The upper-triangular factor <c>U</c> with <c>precision = U U^T</c> (the form the Mahalanobis kernels
    /// read), by a Cholesky factorization with rows and columns in reverse order.
    /// </summary>
    internal static void UpperFactorOfPrecision(ReadOnlySpan<double> precision, Span<double> upper, int d, string paramName)
    {
        var reversed = new double[d * d];
        var lower = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                reversed[i * d + j] = precision[(d - 1 - i) * d + (d - 1 - j)];
            }
        }

        CholeskyOfPrecision(reversed, lower, d, paramName);
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                upper[i * d + j] = lower[(d - 1 - i) * d + (d - 1 - j)];
            }
        }
    }
}
