using Specialize.Mixture;
using Xunit;

namespace Specialize.Tests.Variants;

/// <summary>Every registered variant against a slow, obvious implementation on random problems.</summary>
public sealed class GmmKernelVariantTests
{
    private const double Relative = 1e-10;

    public static TheoryData<string, int, int, int> Cases() =>
        CasesOf(static n => CpuNames([n]).Any(), [(1000, 3, 2), (517, 8, 5), (300, 19, 4), (130, 1, 3), (64, 2, 1), (2100, 7, 9), (5000, 19, 3), (700, 36, 2)]);

    /// <summary>"kernel:variant" for every registered variant <paramref name="select"/> keeps, on every shape.</summary>
    internal static TheoryData<string, int, int, int> CasesOf(Func<string, bool> select, (int N, int D, int M)[] shapes)
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var (kernel, names) in new[] { ("covariance", GmmKernels.Covariance.Names), ("mahalanobis", GmmKernels.Mahalanobis.Names) })
        {
            foreach (string name in names.Where(select))
            {
                foreach (var (n, d, m) in shapes)
                {
                    data.Add(kernel + ":" + name, n, d, m);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Variant_matches_the_reference(string variant, int n, int d, int m) => MatchesTheReference(variant, n, d, m, 0);

    /// <summary>
    /// Rows and means far from the origin compared with their spread: <c>x P - mu P</c> cancels there, so
    /// <c>Tiled-512-Shift</c> must notice and compute those blocks from the centered rows.
    /// </summary>
    [Theory]
    [InlineData(1e3)]
    [InlineData(1e6)]
    public void Mahalanobis_variants_match_the_reference_far_from_the_origin(double offset)
    {
        foreach (string name in CpuNames(GmmKernels.Mahalanobis.Names))
        {
            MatchesTheReference("mahalanobis:" + name, 2100, 19, 4, offset);
        }
    }

    /// <summary>
    /// The C# float64 variants; the GPU ones (<c>ILGPU-</c>) run on ILGPU's CPU accelerator in <c>IlgpuKernelTests</c>,
    /// on smaller problems, and the float32 ones (<c>-F32</c>) below, to float rounding.
    /// </summary>
    internal static IEnumerable<string> CpuNames(IEnumerable<string> names) =>
        names.Where(static n => !n.StartsWith("ILGPU-", StringComparison.Ordinal) && !n.EndsWith("-F32", StringComparison.Ordinal));

    public static TheoryData<string, int, int, int> SingleCases() =>
        CasesOf(static n => n.EndsWith("-F32", StringComparison.Ordinal), [(1000, 3, 2), (517, 8, 5), (300, 19, 4), (130, 1, 3), (2100, 7, 9), (700, 36, 2)]);

    /// <summary>The float32 variants: within float rounding (relative 1e-4 of the result's scale) of the double reference.</summary>
    [Theory]
    [MemberData(nameof(SingleCases))]
    public void Single_precision_variant_matches_the_reference_to_float_rounding(string variant, int n, int d, int m) =>
        MatchesTheReference(variant, n, d, m, 0, relative: 1e-4);

    internal static void MatchesTheReference(string variant, int n, int d, int m, double offset, double relative = Relative)
    {
        var random = new Random(n * 31 + d * 7 + m);
        var rows = new double[n * d];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = random.NextDouble() * 4 - 2 + (i % d) + offset;
        }

        var data = GmmData.FromRows(rows, d);
        const int B = GmmData.BlockSize;
        var resp = new double[data.BlockCount * m * B];
        var nk = new double[m];
        for (int r = 0; r < n; r++)
        {
            double s = 0;
            var w = new double[m];
            for (int k = 0; k < m; k++)
            {
                w[k] = random.NextDouble();
                s += w[k];
            }

            for (int k = 0; k < m; k++)
            {
                resp[((r / B) * m + k) * B + r % B] = w[k] / s;
                nk[k] += w[k] / s;
            }
        }

        var means = new double[m * d];
        for (int i = 0; i < means.Length; i++)
        {
            means[i] = random.NextDouble() + (i % d) + offset;
        }

        var chol = new double[m * d * d];
        for (int k = 0; k < m; k++)
        {
            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                {
                    chol[(k * d + i) * d + j] = i == j ? 0.5 + random.NextDouble() : random.NextDouble() - 0.5;
                }
            }
        }

        string[] parts = variant.Split(':');
        if (parts[0] == "covariance")
        {
            var output = new double[m * d * d];
            Assert.True(GmmKernels.Covariance.TryGet(parts[1], out var kernel));
            kernel(new GmmKernelInput(data, m, resp, means, nk, chol, output));

            for (int k = 0; k < m; k++)
            {
                var expected = new double[d * d];
                for (int r = 0; r < n; r++)
                {
                    double w = resp[((r / B) * m + k) * B + r % B];
                    for (int i = 0; i < d; i++)
                    {
                        for (int j = 0; j < d; j++)
                        {
                            expected[i * d + j] += w * (rows[r * d + i] - means[k * d + i]) * (rows[r * d + j] - means[k * d + j]);
                        }
                    }
                }

                double scale = expected.Max(Math.Abs) / nk[k];
                for (int c = 0; c < d * d; c++)
                {
                    double e = expected[c] / nk[k], a = output[k * d * d + c];
                    Assert.True(Math.Abs(e - a) <= relative * scale, $"k={k} cell={c}: {a:R} vs {e:R}");
                }
            }
        }
        else
        {
            var output = new double[data.BlockCount * m * B];
            Assert.True(GmmKernels.Mahalanobis.TryGet(parts[1], out var kernel));
            kernel(new GmmKernelInput(data, m, resp, means, nk, chol, output));
            for (int r = 0; r < n; r++)
            {
                for (int k = 0; k < m; k++)
                {
                    double expected = 0;
                    for (int j = 0; j < d; j++)
                    {
                        double y = 0;
                        for (int i = 0; i < d; i++)
                        {
                            y += (rows[r * d + i] - means[k * d + i]) * chol[(k * d + i) * d + j];
                        }

                        expected += y * y;
                    }

                    double actual = output[((r / B) * m + k) * B + r % B];
                    Assert.True(Math.Abs(expected - actual) <= relative * expected, $"row {r} k={k}: {actual:R} vs {expected:R}");
                }
            }
        }
    }

    [Theory]
    [InlineData("V1")]
    [InlineData("V2")]
    [InlineData("V3")]
    [InlineData("V4-B32")]
    [InlineData("V4-B128")]
    [InlineData("Syrk")]
    [InlineData("Syrk-Rows")]
    [InlineData("Syrk-512")]
    [InlineData("Syrk-Chunk")]
    [InlineData("Syrk-Chunk-512")]
    [InlineData("Tiled")]
    [InlineData("Tiled-512")]
    [InlineData("Tiled-512-Shift")]
    [InlineData("Blocked-512")]
    [InlineData("Rowwise")]
    [InlineData("Blocked")]
    public void Forced_variant_runs_matches_scikit_learn_and_is_reported(string variant)
    {
        var f = Mixture.GmmFixture.Load("blobs-2000-5-4-7-full-m4-s2");
        var gmm = new GaussianMixture(f.Options(variant, "cpu")).Fit(f.X);
        Assert.Contains(variant, gmm.KernelVariants.Values);
        Assert.Equal(f.Expected.GetProperty("n_iter").GetInt32(), gmm.Iterations);
        double expected = f.Expected.GetProperty("lower_bound").GetDouble();
        Assert.True(Math.Abs(gmm.LowerBound - expected) <= 1e-12 * Math.Abs(expected));
    }
}
