using System;

namespace Specialize.Sampling;

/// <summary>
/// Draws Multinomial(n; 1/b, ..., 1/b) count vectors for one (n, b), many times: the bootstrap weights of BLB.
/// </summary>
/// <remarks>
/// <para>
/// Independent Poisson(λ) counts, conditioned on their total <c>S</c>, are Multinomial(S; 1/b, ...); adding
/// <c>n - S</c> units to uniformly chosen cells (a Multinomial(n - S; 1/b, ...) draw) therefore gives
/// Multinomial(n; 1/b, ...) exactly, whatever <c>S</c> was, as long as <c>S &lt;= n</c>. With
/// <c>λ = (n - 3√n) / b</c>, <c>S &gt; n</c> happens about once in 700 draws, and then the Poisson counts are
/// drawn again (rejection keeps the result exact). Every Poisson count shares one λ, so it is drawn by
/// inversion from a precomputed table with a guide index (Chen &amp; Asau): one uniform and one or two
/// comparisons. The table covers every k whose probability is above 1e-25 of the mode's; the mass left out
/// is far below the 2^-53 resolution of the uniforms, so the draw is exact to double precision, like any
/// inversion sampler.
/// </para>
/// <para>
/// Where the table does not apply (n below 10, or more than 65,536 entries) the counts come from the chain of
/// conditional binomials in <see cref="Binomial.SampleUniformMultinomial"/>.
/// </para>
/// </remarks>
internal sealed class UniformMultinomial
{
    private const int MaxTableLength = 1 << 16;
    private const double TailCutoff = 1e-25;

    private readonly int _n;
    private readonly int _cells;
    private readonly double[]? _cdf;
    private readonly int[]? _guide;
    private readonly int _first;

    /// <summary>Prepares draws of <paramref name="trials"/> trials over <paramref name="cells"/> equally likely cells.</summary>
    public UniformMultinomial(int trials, int cells)
    {
        _n = trials;
        _cells = cells;
        double lambda = (trials - 3.0 * Math.Sqrt(trials)) / cells;
        if (trials < 10 || lambda <= 0)
        {
            return;
        }
        (_cdf, _first) = BuildPoissonTable(lambda);
        if (_cdf is null)
        {
            return;
        }
        _guide = new int[_cdf.Length];
        int k = 0;
        for (int j = 0; j < _guide.Length; j++)
        {
            double threshold = (double)j / _guide.Length;
            while (_cdf[k] <= threshold)
            {
                k++;
            }
            _guide[j] = k;
        }
    }

    /// <summary>Whether the Poisson table is used (otherwise the conditional-binomial chain).</summary>
    public bool UsesPoissonTable => _cdf is not null;

    /// <summary>Fills <paramref name="counts"/> (length = cells) with one draw; the counts sum to the trials exactly.</summary>
    public void Sample(ref CounterRandom random, Span<int> counts)
    {
        if (_cdf is null || _guide is null)
        {
            Binomial.SampleUniformMultinomial(ref random, _n, counts);
            return;
        }
        double[] cdf = _cdf;
        int[] guide = _guide;
        long total;
        do
        {
            total = 0;
            for (int i = 0; i < counts.Length; i++)
            {
                double u = random.NextDouble();
                int k = guide[(int)(u * guide.Length)];
                while (cdf[k] <= u)
                {
                    k++;
                }
                int count = _first + k;
                counts[i] = count;
                total += count;
            }
        }
        while (total > _n);

        for (long remaining = _n - total; remaining > 0; remaining--)
        {
            counts[(int)random.NextUInt32((uint)_cells)]++;
        }
    }

    /// <summary>
    /// The Poisson(λ) cumulative distribution over [first, first + length), computed by the ratio recurrence
    /// outward from the mode and normalized; the last entry is exactly 1. Null when it would be too long.
    /// </summary>
    private static (double[]? Cdf, int First) BuildPoissonTable(double lambda)
    {
        int mode = (int)Math.Floor(lambda);
        // Relative probabilities p(k)/p(mode): p(k+1) = p(k) λ/(k+1), p(k-1) = p(k) k/λ.
        int low = mode;
        double p = 1.0;
        while (low > 0)
        {
            p *= low / lambda;
            if (p < TailCutoff)
            {
                break;
            }
            low--;
        }
        int high = mode;
        p = 1.0;
        while (true)
        {
            p *= lambda / (high + 1);
            if (p < TailCutoff)
            {
                break;
            }
            high++;
            if (high - low + 1 > MaxTableLength)
            {
                return (null, 0);
            }
        }
        var pmf = new double[high - low + 1];
        pmf[mode - low] = 1.0;
        for (int k = mode + 1; k <= high; k++)
        {
            pmf[k - low] = pmf[k - 1 - low] * lambda / k;
        }
        for (int k = mode - 1; k >= low; k--)
        {
            pmf[k - low] = pmf[k + 1 - low] * (k + 1) / lambda;
        }
        double sum = 0;
        for (int i = 0; i < pmf.Length; i++)
        {
            sum += pmf[i];
        }
        double running = 0;
        for (int i = 0; i < pmf.Length; i++)
        {
            running += pmf[i];
            pmf[i] = running / sum;
        }
        pmf[^1] = 1.0;
        return (pmf, low);
    }
}
