using Specialize;

namespace GlmSample;

/// <summary>One row of the design matrix: the features followed by 1 for the intercept, and the label (0 or 1).</summary>
public readonly record struct DesignRow(double[] X, double Y);

/// <summary>
/// The coefficients of an L2-penalized logistic regression (the last one the intercept, not penalized), minimizing
/// <c>C * sum logloss + ||w||^2 / 2</c> by Newton's method, written as plain C# over a span of rows: the estimator whose
/// quality BLB assesses. The generator rewrites each pass over the rows into a weighted pass over a subsample's rows.
/// </summary>
[BlbEstimator]
public static partial class LogisticCoefficients
{
    public static double[] Estimate(ReadOnlySpan<DesignRow> rows, [NoSubsample] int columns, [NoSubsample] double c)
    {
        var w = new double[columns];
        for (int iteration = 0; iteration < 50; iteration++)
        {
            var gradient = new double[columns];
            var hessian = new double[columns * columns];
            foreach (DesignRow row in rows)
            {
                double[] x = row.X;
                double mu = Sigmoid(Dot(w, x));
                double s = c * mu * (1 - mu);
                for (int i = 0; i < columns; i++)
                {
                    gradient[i] += c * (mu - row.Y) * x[i];
                    for (int j = 0; j < columns; j++)
                    {
                        hessian[(i * columns) + j] += s * x[i] * x[j];
                    }
                }
            }

            double[] next = Step(w, gradient, hessian, columns);
            double largest = 0;
            for (int i = 0; i < columns; i++)
            {
                largest = Math.Max(largest, Math.Abs(next[i] - w[i]));
            }

            w = next;
            if (largest <= 1e-10)
            {
                break;
            }
        }

        return w;
    }

    [Pure]
    public static double Dot(double[] w, double[] x)
    {
        double z = 0;
        for (int i = 0; i < w.Length; i++)
        {
            z += w[i] * x[i];
        }

        return z;
    }

    [Pure]
    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    /// <summary>The Newton step from <paramref name="w"/>: <c>w - H^-1 g</c> with the penalty's terms added to the loss's gradient and Hessian.</summary>
    [Pure]
    public static double[] Step(double[] w, double[] lossGradient, double[] lossHessian, int columns)
    {
        var gradient = new double[columns];
        var hessian = new double[columns * columns];
        for (int i = 0; i < columns; i++)
        {
            gradient[i] = lossGradient[i];
            for (int j = 0; j < columns; j++)
            {
                hessian[(i * columns) + j] = lossHessian[(i * columns) + j];
            }
        }

        for (int i = 0; i < columns - 1; i++)
        {
            gradient[i] += w[i];
            hessian[(i * columns) + i] += 1;
        }

        // Cholesky H = L L^T, then forward and back substitution.
        var l = new double[columns * columns];
        for (int i = 0; i < columns; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = hessian[(i * columns) + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[(i * columns) + k] * l[(j * columns) + k];
                }

                l[(i * columns) + j] = i == j ? Math.Sqrt(Math.Max(sum, 1e-300)) : sum / l[(j * columns) + j];
            }
        }

        var y = new double[columns];
        for (int i = 0; i < columns; i++)
        {
            double sum = gradient[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[(i * columns) + k] * y[k];
            }

            y[i] = sum / l[(i * columns) + i];
        }

        var step = new double[columns];
        for (int i = columns - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < columns; k++)
            {
                sum -= l[(k * columns) + i] * step[k];
            }

            step[i] = sum / l[(i * columns) + i];
        }

        var next = new double[columns];
        for (int i = 0; i < columns; i++)
        {
            next[i] = w[i] - step[i];
        }

        return next;
    }
}
