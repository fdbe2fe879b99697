using Specialize.Mixture;
using Xunit;

namespace Specialize.Tests.Mixture;

/// <summary>
/// The fused E-step (each chunk of Mahalanobis distances turned into responsibilities and the M-step's
/// sums on the thread that wrote it) against the separate pass and against a slow log-sum-exp with
/// <see cref="Math.Exp"/>, for every Mahalanobis variant, including those that do not hand chunks over.
/// </summary>
public sealed class FusedEStepTests
{
    private const int B = GmmData.BlockSize;
    private const double Relative = 1e-10;

    public static TheoryData<string, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int>();
        (int N, int D, int M)[] shapes = [(1000, 3, 2), (517, 8, 5), (2100, 19, 4), (64, 2, 1), (5000, 7, 9)];
        foreach (string name in Variants.GmmKernelVariantTests.CpuNames(GmmKernels.Mahalanobis.Names)) // the GPU ones have no fused E-step
        {
            foreach (var (n, d, m) in shapes)
            {
                data.Add(name, n, d, m);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_and_separate_E_steps_match_each_other_and_the_reference(string variant, int n, int d, int m)
    {
        var (rows, data, p) = Problem(n, d, m);
        var fused = new EmState(data, m, CovarianceType.Full, 1e-6, TestStores.Scratch, variant, new GaussianMixtureOptions { Components = m });
        var separate = new EmState(data, m, CovarianceType.Full, 1e-6, TestStores.Scratch, variant, new GaussianMixtureOptions { Components = m }) { Fused = false };

        double boundFused = fused.EStep(p);
        double boundSeparate = separate.EStep(p);
        Assert.Equal(variant, fused.VariantsRun[GmmKernels.MahalanobisKernelName]);

        // The same arithmetic in the same order: the same bits.
        Assert.Equal(boundSeparate, boundFused);
        var pf = p.Clone();
        var ps = p.Clone();
        fused.MStep(pf);
        separate.MStep(ps);
        Assert.Equal(ps.Means, pf.Means);
        Assert.Equal(ps.Weights, pf.Weights);

        // Against the slow reference.
        var (bound, resp) = ReferenceEStep(rows, n, d, m, p);
        Assert.True(Math.Abs(boundFused - bound) <= Relative * Math.Abs(bound), $"{boundFused:R} vs {bound:R}");
        for (int k = 0; k < m; k++)
        {
            double nk = 10 * 2.220446049250313e-16;
            var sx = new double[d];
            for (int r = 0; r < n; r++)
            {
                nk += resp[r, k];
                for (int i = 0; i < d; i++)
                {
                    sx[i] += resp[r, k] * rows[r * d + i];
                }
            }

            for (int i = 0; i < d; i++)
            {
                double expected = sx[i] / nk;
                Assert.True(Math.Abs(pf.Means[k * d + i] - expected) <= Relative * Math.Max(1, Math.Abs(expected)), $"mean[{k},{i}]: {pf.Means[k * d + i]:R} vs {expected:R}");
            }
        }
    }

    [Theory]
    [InlineData("Blocked", 5000, 7, 3)]
    [InlineData("Blocked", 517, 19, 2)]
    [InlineData("Blocked-512", 5000, 7, 3)]
    [InlineData("Blocked-512", 517, 19, 2)]
    [InlineData("Tiled", 5000, 7, 3)]
    [InlineData("Tiled", 517, 19, 2)]
    public void Chunked_variants_hand_over_every_chunk_once_after_writing_it(string variant, int n, int d, int m)
    {
        if (!GmmKernels.Mahalanobis.TryGet(variant, out var kernel))
        {
            return; // not registered on this hardware (no 512-bit vectors)
        }

        var (rows, data, p) = Problem(n, d, m);
        var output = new double[data.BlockCount * m * B];
        var seen = new int[data.BlockCount];
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        var input = new GmmKernelInput(data, m, new double[output.Length], p.Means, new double[m], p.PrecisionsCholesky, output)
        {
            ChunkWritten = (first, end) =>
            {
                if (first % GmmKernels.ChunkBlocks != 0 || end != Math.Min(data.BlockCount, first + GmmKernels.ChunkBlocks))
                {
                    errors.Add($"[{first}, {end}) is not one chunk");
                }

                for (int blk = first; blk < end; blk++)
                {
                    Interlocked.Increment(ref seen[blk]);
                    for (int b = 0; b < data.RowsInBlock(blk); b++)
                    {
                        int r = (blk * B) + b;
                        for (int k = 0; k < m; k++)
                        {
                            double expected = Distance(rows, r, d, k, p);
                            double actual = output[((blk * m) + k) * B + b];
                            if (!(Math.Abs(expected - actual) <= Relative * expected))
                            {
                                errors.Add($"row {r} k={k}: {actual:R} vs {expected:R} when handed over");
                            }
                        }
                    }
                }
            },
        };

        kernel(input);

        Assert.Empty(errors);
        Assert.All(seen, count => Assert.Equal(1, count));
    }

    private static (double[] Rows, GmmData Data, GaussianMixture.Parameters P) Problem(int n, int d, int m)
    {
        var random = new Random((n * 31) + (d * 7) + m);
        var rows = new double[n * d];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = (random.NextDouble() * 4) - 2 + (i % d) + (3 * ((i / d) % m));
        }

        var p = new GaussianMixture.Parameters(m, d, CovarianceType.Full);
        double total = 0;
        for (int k = 0; k < m; k++)
        {
            p.Weights[k] = 0.5 + random.NextDouble();
            total += p.Weights[k];
            for (int i = 0; i < d; i++)
            {
                p.Means[k * d + i] = random.NextDouble() + i + (3 * k);
                for (int j = i; j < d; j++)
                {
                    p.PrecisionsCholesky[(k * d + i) * d + j] = i == j ? 0.5 + random.NextDouble() : (random.NextDouble() - 0.5) * 0.3;
                }
            }
        }

        for (int k = 0; k < m; k++)
        {
            p.Weights[k] /= total;
        }

        return (rows, GmmData.FromRows(rows, d), p);
    }

    private static double Distance(double[] rows, int r, int d, int k, GaussianMixture.Parameters p)
    {
        double q = 0;
        for (int j = 0; j < d; j++)
        {
            double y = 0;
            for (int i = 0; i <= j; i++)
            {
                y += (rows[r * d + i] - p.Means[k * d + i]) * p.PrecisionsCholesky[(k * d + i) * d + j];
            }

            q += y * y;
        }

        return q;
    }

    private static (double Bound, double[,] Resp) ReferenceEStep(double[] rows, int n, int d, int m, GaussianMixture.Parameters p)
    {
        var resp = new double[n, m];
        double bound = 0;
        var wlp = new double[m];
        for (int r = 0; r < n; r++)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < m; k++)
            {
                double logDet = 0;
                for (int i = 0; i < d; i++)
                {
                    logDet += Math.Log(p.PrecisionsCholesky[(k * d + i) * d + i]);
                }

                wlp[k] = Math.Log(p.Weights[k]) + logDet - (0.5 * ((d * Math.Log(2 * Math.PI)) + Distance(rows, r, d, k, p)));
                max = Math.Max(max, wlp[k]);
            }

            double sum = 0;
            for (int k = 0; k < m; k++)
            {
                sum += Math.Exp(wlp[k] - max);
            }

            double lse = max + Math.Log(sum);
            bound += lse;
            for (int k = 0; k < m; k++)
            {
                resp[r, k] = Math.Exp(wlp[k] - lse);
            }
        }

        return (bound / n, resp);
    }
}
