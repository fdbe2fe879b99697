using System;

namespace Specialize.Glm;

/// <summary>The small dense solve of a Newton step: <c>H x = b</c> for a symmetric <c>H</c>, by Cholesky.</summary>
internal static class Cholesky
{
    /// <summary>
    /// Solves <c>H x = b</c> for the row-major <paramref name="n"/> x <paramref name="n"/> symmetric <paramref name="h"/>:
    /// by Cholesky where <c>H</c> is positive definite (always, up to rounding, for a penalized logistic Hessian), otherwise
    /// by Gaussian elimination with partial pivoting.
    /// </summary>
    public static double[] Solve(double[] h, double[] b, int n)
    {
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = h[(i * n) + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[(i * n) + k] * l[(j * n) + k];
                }

                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        return Eliminate(h, b, n);
                    }

                    l[(i * n) + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[(i * n) + j] = sum / l[(j * n) + j];
                }
            }
        }

        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[(i * n) + k] * x[k];
            }

            x[i] = sum / l[(i * n) + i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int k = i + 1; k < n; k++)
            {
                sum -= l[(k * n) + i] * x[k];
            }

            x[i] = sum / l[(i * n) + i];
        }

        return x;
    }

    private static double[] Eliminate(double[] h, double[] b, int n)
    {
        var a = (double[])h.Clone();
        var x = (double[])b.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
            {
                if (Math.Abs(a[(r * n) + col]) > Math.Abs(a[(pivot * n) + col]))
                {
                    pivot = r;
                }
            }

            if (a[(pivot * n) + col] == 0)
            {
                continue; // a direction the rows do not determine: its step stays 0
            }

            if (pivot != col)
            {
                for (int k = 0; k < n; k++)
                {
                    (a[(col * n) + k], a[(pivot * n) + k]) = (a[(pivot * n) + k], a[(col * n) + k]);
                }

                (x[col], x[pivot]) = (x[pivot], x[col]);
            }

            for (int r = col + 1; r < n; r++)
            {
                double factor = a[(r * n) + col] / a[(col * n) + col];
                if (factor == 0)
                {
                    continue;
                }

                for (int k = col; k < n; k++)
                {
                    a[(r * n) + k] -= factor * a[(col * n) + k];
                }

                x[r] -= factor * x[col];
            }
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int k = i + 1; k < n; k++)
            {
                sum -= a[(i * n) + k] * x[k];
            }

            x[i] = a[(i * n) + i] == 0 ? 0 : sum / a[(i * n) + i];
        }

        return x;
    }
}
