using Specialize;

namespace Specialize.Digits;

/// <summary>One 8x8 image of a handwritten digit and its label.</summary>
public readonly record struct Digit(double[] Pixels, int Label);

/// <summary>
/// A multi-class linear classifier: one weight vector (plus bias) per class, trained by ridge least
/// squares on one-hot targets; the predicted class is the one with the largest score.
/// </summary>
public sealed class LinearModel
{
    private readonly double[,] weights; // classes x (features + 1), the last column the bias

    private LinearModel(double[,] weights)
    {
        this.weights = weights;
    }

    public int Classes => weights.GetLength(0);

    // Called for every row of every bootstrap in a run that lasts milliseconds: compiled fully optimized from the
    // first call, instead of running unoptimized until the runtime finds it hot (the weighted estimators Specialize
    // generates are marked the same way).
    [Pure]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Classify(double[] pixels)
    {
        int best = 0;
        double bestScore = double.NegativeInfinity;
        int features = pixels.Length;
        for (int c = 0; c < weights.GetLength(0); c++)
        {
            double score = weights[c, features];
            for (int j = 0; j < features; j++)
            {
                score += weights[c, j] * pixels[j];
            }

            if (score > bestScore)
            {
                bestScore = score;
                best = c;
            }
        }

        return best;
    }

    /// <summary>Solves (XᵀX + λI) W = XᵀY for every class at once (features are few: 65 unknowns).</summary>
    public static LinearModel Train(IReadOnlyList<Digit> training, int classes, double ridge)
    {
        int p = training[0].Pixels.Length + 1;
        var gram = new double[p, p];
        var rhs = new double[p, classes];
        var row = new double[p];
        foreach (Digit digit in training)
        {
            digit.Pixels.CopyTo(row, 0);
            row[p - 1] = 1.0;
            for (int i = 0; i < p; i++)
            {
                for (int j = 0; j < p; j++)
                {
                    gram[i, j] += row[i] * row[j];
                }

                rhs[i, digit.Label] += row[i];
            }
        }

        for (int i = 0; i < p - 1; i++)
        {
            gram[i, i] += ridge; // the bias is not penalized
        }

        double[,] solution = SolveSymmetric(gram, rhs);
        var weights = new double[classes, p];
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < p; i++)
            {
                weights[c, i] = solution[i, c];
            }
        }

        return new LinearModel(weights);
    }

    // Cholesky factorization A = LLᵀ, then forward and back substitution for each right-hand side.
    private static double[,] SolveSymmetric(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = b.GetLength(1);
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i, j];
                for (int t = 0; t < j; t++)
                {
                    sum -= l[i, t] * l[j, t];
                }

                l[i, j] = i == j ? Math.Sqrt(sum) : sum / l[j, j];
            }
        }

        var x = new double[n, k];
        var y = new double[n];
        for (int c = 0; c < k; c++)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = b[i, c];
                for (int t = 0; t < i; t++)
                {
                    sum -= l[i, t] * y[t];
                }

                y[i] = sum / l[i, i];
            }

            for (int i = n - 1; i >= 0; i--)
            {
                double sum = y[i];
                for (int t = i + 1; t < n; t++)
                {
                    sum -= l[t, i] * x[t, c];
                }

                x[i, c] = sum / l[i, i];
            }
        }

        return x;
    }
}
