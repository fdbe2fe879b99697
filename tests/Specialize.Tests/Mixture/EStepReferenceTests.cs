using Specialize.Mixture;
using Xunit;

namespace Specialize.Tests.Mixture;

/// <summary>
/// One EM iteration against a slow log-sum-exp with <see cref="Math.Exp"/>, on components so far apart
/// that most exp arguments lie below -708 (where the E-step clamps them and sets the responsibility to 0).
/// </summary>
public sealed class EStepReferenceTests
{
    // The diagonal type uses scikit-learn's expanded distance (mu^2 p - 2 x mu p + x^2 p), which loses
    // about four digits here against the centered reference; a wrong responsibility costs far more.
    private const double Relative = 1e-10;

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void Far_apart_components_match_the_reference_lower_bound_and_means(CovarianceType type)
    {
        const int n = 3000, d = 3, m = 3;
        var random = new Random(3);
        var centers = new double[,] { { 0, 0, 0 }, { 60, -40, 20 }, { 30, 0.5, 80 } };
        var x = new double[n, d];
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < d; i++)
            {
                x[r, i] = centers[r % m, i] + (random.NextDouble() * 2) - 1;
            }
        }

        // Start near the truth with unit precisions.
        var means = new double[,] { { 0.2, 0.1, -0.1 }, { 59.5, -40, 20.3 }, { 30, 1, 79.6 } };
        double[] weights = [0.3, 0.3, 0.4];
        Array precisions = type == CovarianceType.Full ? Identity(m, d) : Ones(m, d);
        var gmm = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = m,
            CovarianceType = type,
            MaxIterations = 1,
            Tolerance = 1e-300,
            WeightsInit = weights,
            MeansInit = means,
            PrecisionsInit = precisions,
            TuningStore = TestStores.Scratch,
        }).Fit(x);

        // Reference E-step from the initial parameters (unit precisions: log det = 0).
        var resp = new double[n, m];
        double bound = 0;
        int clamped = 0;
        for (int r = 0; r < n; r++)
        {
            var wlp = new double[m];
            double max = double.NegativeInfinity;
            for (int k = 0; k < m; k++)
            {
                double q = 0;
                for (int i = 0; i < d; i++)
                {
                    q += (x[r, i] - means[k, i]) * (x[r, i] - means[k, i]);
                }

                wlp[k] = Math.Log(weights[k]) - (0.5 * ((d * Math.Log(2 * Math.PI)) + q));
                max = Math.Max(max, wlp[k]);
            }

            double sum = 0;
            for (int k = 0; k < m; k++)
            {
                sum += Math.Exp(wlp[k] - max);
                clamped += wlp[k] - max < -708 ? 1 : 0;
            }

            double lse = max + Math.Log(sum);
            bound += lse;
            for (int k = 0; k < m; k++)
            {
                resp[r, k] = Math.Exp(wlp[k] - lse);
            }
        }

        Assert.True(clamped > n, "the data should put most exp arguments below -708");
        bound /= n;
        Assert.True(Math.Abs(gmm.LowerBound - bound) <= Relative * Math.Abs(bound), $"{gmm.LowerBound:R} vs {bound:R}");

        var fitted = gmm.Means;
        for (int k = 0; k < m; k++)
        {
            double nk = 10 * 2.220446049250313e-16; // scikit-learn's 10 * eps
            var sx = new double[d];
            for (int r = 0; r < n; r++)
            {
                nk += resp[r, k];
                for (int i = 0; i < d; i++)
                {
                    sx[i] += resp[r, k] * x[r, i];
                }
            }

            for (int i = 0; i < d; i++)
            {
                double expected = sx[i] / nk;
                Assert.True(Math.Abs(fitted[k, i] - expected) <= Relative * Math.Max(1, Math.Abs(expected)), $"mean[{k},{i}]: {fitted[k, i]:R} vs {expected:R}");
            }
        }
    }

    private static double[,,] Identity(int m, int d)
    {
        var p = new double[m, d, d];
        for (int k = 0; k < m; k++)
        {
            for (int i = 0; i < d; i++)
            {
                p[k, i, i] = 1;
            }
        }

        return p;
    }

    private static double[,] Ones(int m, int d)
    {
        var p = new double[m, d];
        for (int k = 0; k < m; k++)
        {
            for (int i = 0; i < d; i++)
            {
                p[k, i] = 1;
            }
        }

        return p;
    }
}
