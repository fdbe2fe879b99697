using System.Numerics.Tensors;

namespace Specialize.Tests.Blb;

/// <summary>
/// Estimators written twice, as a user writes them and in the weighted form the generator emits:
/// loops over subsampled data visit the subsample rows with their weights, skip weight-zero rows,
/// scale accumulations by the weight, and read <c>.Length</c> as <see cref="BlbSample.N"/>.
/// Subsampled inputs travel in the state as arrays, [NoSubsample] arguments beside them.
/// </summary>
internal static class WeightedEstimators
{
    // ---- mean of one span --------------------------------------------------------------------

    public static double Mean(ReadOnlySpan<double> x)
    {
        double sum = 0;
        foreach (double v in x)
        {
            sum += v;
        }
        return sum / x.Length;
    }

    public static double MeanWeighted(BlbSample sample, double[] x)
    {
        ReadOnlySpan<int> weights = sample.Weights;
        double sum = 0;
        if (sample.Layout == BlbDataLayout.LoadIn)
        {
            ReadOnlySpan<double> rows = sample.Gather(0, (ReadOnlySpan<double>)x);
            for (int i = 0; i < rows.Length; i++)
            {
                int w = weights[i];
                if (w == 0)
                {
                    continue;
                }
                sum += w * rows[i];
            }
        }
        else
        {
            ReadOnlySpan<int> indices = sample.Indices;
            ReadOnlySpan<double> data = x;
            for (int i = 0; i < indices.Length; i++)
            {
                int w = weights[i];
                if (w == 0)
                {
                    continue;
                }
                sum += w * data[indices[i]];
            }
        }
        return sum / sample.N;
    }

    // ---- sum -----------------------------------------------------------------------------------

    public static double Sum(ReadOnlySpan<double> x)
    {
        double sum = 0;
        foreach (double v in x)
        {
            sum += v;
        }
        return sum;
    }

    public static double SumWeighted(BlbSample sample, double[] x)
    {
        BlbRows<double> rows = sample.Rows(0, (ReadOnlySpan<double>)x);
        ReadOnlySpan<int> weights = sample.Weights;
        double sum = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int w = weights[i];
            if (w == 0)
            {
                continue;
            }
            sum += w * rows[i];
        }
        return sum;
    }

    // ---- ratio of two co-iterated spans ---------------------------------------------------------

    public static double Ratio(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sx = 0, sy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sx += x[i];
            sy += y[i];
        }
        return sy / sx;
    }

    public static double RatioWeighted(BlbSample sample, (double[] X, double[] Y) state)
    {
        // Both inputs are subsampled with the same indices: input 0 and input 1 share sample.Indices.
        BlbRows<double> x = sample.Rows(0, (ReadOnlySpan<double>)state.X);
        BlbRows<double> y = sample.Rows(1, (ReadOnlySpan<double>)state.Y);
        ReadOnlySpan<int> weights = sample.Weights;
        double sx = 0, sy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            int w = weights[i];
            if (w == 0)
            {
                continue;
            }
            sx += w * x[i];
            sy += w * y[i];
        }
        return sy / sx;
    }

    // ---- branchy counting with a nested loop over a [NoSubsample] array ---------------------------

    public readonly record struct Email(double Score, int Tag);

    /// <summary>A [Pure] helper: the class whose threshold the score passes last.</summary>
    public static int Classify(Email e, double[] thresholds)
    {
        int choice = 0;
        for (int m = 0; m < thresholds.Length; m++)
        {
            if (e.Score > thresholds[m])
            {
                choice = m + 1;
            }
        }
        return choice;
    }

    public static double ErrorRate(ReadOnlySpan<Email> emails, double[] thresholds)
    {
        double errors = 0;
        foreach (Email e in emails)
        {
            int choice = Classify(e, thresholds);
            if (choice != e.Tag)
            {
                errors += 1;
            }
        }
        return errors / emails.Length;
    }

    public static double ErrorRateWeighted(BlbSample sample, (Email[] Emails, double[] Thresholds) state)
    {
        ReadOnlySpan<int> weights = sample.Weights;
        double errors = 0;
        if (sample.Layout == BlbDataLayout.LoadIn)
        {
            ReadOnlySpan<Email> rows = sample.Gather(0, (ReadOnlySpan<Email>)state.Emails);
            for (int i = 0; i < rows.Length; i++)
            {
                int w = weights[i];
                if (w == 0)
                {
                    continue;
                }
                Email e = rows[i];
                int choice = Classify(e, state.Thresholds);
                if (choice != e.Tag)
                {
                    errors += w * 1;
                }
            }
        }
        else
        {
            ReadOnlySpan<int> indices = sample.Indices;
            ReadOnlySpan<Email> data = state.Emails;
            for (int i = 0; i < indices.Length; i++)
            {
                int w = weights[i];
                if (w == 0)
                {
                    continue;
                }
                Email e = data[indices[i]];
                int choice = Classify(e, state.Thresholds);
                if (choice != e.Tag)
                {
                    errors += w * 1;
                }
            }
        }
        return errors / sample.N;
    }

    // ---- dot products (TensorPrimitives) per row -------------------------------------------------

    public static double MeanScore(ReadOnlySpan<double[]> rows, double[] beta)
    {
        double sum = 0;
        foreach (double[] row in rows)
        {
            sum += TensorPrimitives.Dot(row, beta);
        }
        return sum / rows.Length;
    }

    public static double MeanScoreWeighted(BlbSample sample, (double[][] Rows, double[] Beta) state)
    {
        BlbRows<double[]> rows = sample.Rows(0, (ReadOnlySpan<double[]>)state.Rows);
        ReadOnlySpan<int> weights = sample.Weights;
        double sum = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int w = weights[i];
            if (w == 0)
            {
                continue;
            }
            sum += w * TensorPrimitives.Dot(rows[i], state.Beta);
        }
        return sum / sample.N;
    }

    // ---- least-squares coefficients (vector-valued) -----------------------------------------------

    public static double[] LeastSquares(ReadOnlySpan<double[]> x, ReadOnlySpan<double> y)
    {
        int d = x[0].Length;
        var gram = new double[d * d];
        var moment = new double[d];
        for (int i = 0; i < x.Length; i++)
        {
            double[] row = x[i];
            for (int a = 0; a < d; a++)
            {
                moment[a] += row[a] * y[i];
                for (int c = 0; c < d; c++)
                {
                    gram[a * d + c] += row[a] * row[c];
                }
            }
        }
        return Solve(gram, moment, d);
    }

    public static double[] LeastSquaresWeighted(BlbSample sample, (double[][] X, double[] Y) state)
    {
        BlbRows<double[]> x = sample.Rows(0, (ReadOnlySpan<double[]>)state.X);
        BlbRows<double> y = sample.Rows(1, (ReadOnlySpan<double>)state.Y);
        ReadOnlySpan<int> weights = sample.Weights;
        int d = state.X[0].Length;
        var gram = new double[d * d];
        var moment = new double[d];
        for (int i = 0; i < x.Length; i++)
        {
            int w = weights[i];
            if (w == 0)
            {
                continue;
            }
            double[] row = x[i];
            for (int a = 0; a < d; a++)
            {
                moment[a] += w * (row[a] * y[i]);
                for (int c = 0; c < d; c++)
                {
                    gram[a * d + c] += w * (row[a] * row[c]);
                }
            }
        }
        return Solve(gram, moment, d);
    }

    /// <summary>Solves the symmetric positive definite system by Gaussian elimination with partial pivoting.</summary>
    public static double[] Solve(double[] matrix, double[] rightHandSide, int d)
    {
        var a = (double[])matrix.Clone();
        var b = (double[])rightHandSide.Clone();
        for (int col = 0; col < d; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < d; row++)
            {
                if (Math.Abs(a[row * d + col]) > Math.Abs(a[pivot * d + col]))
                {
                    pivot = row;
                }
            }
            if (pivot != col)
            {
                for (int c = 0; c < d; c++)
                {
                    (a[col * d + c], a[pivot * d + c]) = (a[pivot * d + c], a[col * d + c]);
                }
                (b[col], b[pivot]) = (b[pivot], b[col]);
            }
            for (int row = col + 1; row < d; row++)
            {
                double factor = a[row * d + col] / a[col * d + col];
                for (int c = col; c < d; c++)
                {
                    a[row * d + c] -= factor * a[col * d + c];
                }
                b[row] -= factor * b[col];
            }
        }
        var solution = new double[d];
        for (int row = d - 1; row >= 0; row--)
        {
            double sum = b[row];
            for (int c = row + 1; c < d; c++)
            {
                sum -= a[row * d + c] * solution[c];
            }
            solution[row] = sum / a[row * d + row];
        }
        return solution;
    }
}
