namespace GlmSample;

/// <summary>
/// Synthetic rows for logistic regression: Gaussian features sharing one common factor (correlation 0.08), labels
/// drawn from a known linear model with weights of variance 1 / d. The sample's <c>synthetic</c> mode and the GLM
/// benchmark (which links this file) fit them.
/// </summary>
internal static class SyntheticRows
{
    public static (double[,] X, int[] Y) Make(int n, int d, int seed)
    {
        var random = new Random(seed);
        var w = new double[d];
        for (int i = 0; i < d; i++)
        {
            w[i] = Normal(random) / Math.Sqrt(d);
        }

        var x = new double[n, d];
        var y = new int[n];
        for (int r = 0; r < n; r++)
        {
            double shared = Normal(random), z = -0.3;
            for (int i = 0; i < d; i++)
            {
                x[r, i] = Normal(random) + (0.3 * shared);
                z += w[i] * x[r, i];
            }

            y[r] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        return (x, y);
    }

    private static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
