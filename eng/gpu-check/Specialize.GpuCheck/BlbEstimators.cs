namespace Specialize.GpuCheck;

/// <summary>The mean, as a user writes it; the generator adds its weighted, batched and GPU forms and <c>Run</c>.</summary>
[BlbEstimator]
public static partial class BlbMean
{
    public static double Estimate(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double value in values)
        {
            sum += value;
        }

        return sum / values.Length;
    }
}

/// <summary>One observation of the least-squares problem: ten features and the response.</summary>
public readonly record struct Observation10(double X0, double X1, double X2, double X3, double X4, double X5, double X6, double X7, double X8, double X9, double Y)
{
    public double this[int i] => i switch
    {
        0 => X0,
        1 => X1,
        2 => X2,
        3 => X3,
        4 => X4,
        5 => X5,
        6 => X6,
        7 => X7,
        8 => X8,
        _ => X9,
    };
}

/// <summary>Least squares with d = 10 through the normal equations: the sums lower to the GPU, the solve runs on the host per bootstrap.</summary>
[BlbEstimator]
public static partial class BlbLeastSquares
{
    public const int D = 10;

    public static double[] Estimate(ReadOnlySpan<Observation10> rows)
    {
        var xtx = new double[D * D];
        var xty = new double[D];
        foreach (Observation10 row in rows)
        {
            for (int i = 0; i < D; i++)
            {
                double xi = row[i];
                xty[i] += xi * row.Y;
                for (int j = 0; j < D; j++)
                {
                    xtx[(i * D) + j] += xi * row[j];
                }
            }
        }

        return Solve(xtx, xty);
    }

    /// <summary>Cholesky: <c>a = L L^T</c>, then <c>L y = b</c> and <c>L^T beta = y</c>.</summary>
    [Pure]
    public static double[] Solve(double[] a, double[] b)
    {
        var l = new double[D * D];
        for (int i = 0; i < D; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[(i * D) + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[(i * D) + k] * l[(j * D) + k];
                }

                l[(i * D) + j] = i == j ? Math.Sqrt(sum) : sum / l[(j * D) + j];
            }
        }

        var y = new double[D];
        for (int i = 0; i < D; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[(i * D) + k] * y[k];
            }

            y[i] = sum / l[(i * D) + i];
        }

        var beta = new double[D];
        for (int i = D - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < D; k++)
            {
                sum -= l[(k * D) + i] * beta[k];
            }

            beta[i] = sum / l[(i * D) + i];
        }

        return beta;
    }
}
