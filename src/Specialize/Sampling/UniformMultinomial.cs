using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
/// inversion from a precomputed table with a guide index (Chen &amp; Asau) fine enough that almost every bin
/// decides the count by itself: one uniform and one table read, a short search only in the few bins that
/// hold a step of the distribution function. The uniforms are made in vector blocks
/// (<see cref="CounterRandom.Fill"/>). The table covers every k whose probability is above 1e-25 of the mode's; the mass left out
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

    // Random bits are made and used in blocks of this many (on the stack).
    private const int Block = 512;

    private readonly int _n;
    private readonly int _cells;
    private readonly double[]? _cdf;
    private readonly int[]? _guide;
    private readonly int _guideShift;
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
        (_guide, _guideShift) = BuildGuide(_cdf, _first);
    }

    /// <summary>Whether the Poisson table is used (otherwise the conditional-binomial chain).</summary>
    public bool UsesPoissonTable => _cdf is not null;

    /// <summary>The Poisson distribution function the counts are inverted from (entry <c>i</c> is P(count &lt;= <see cref="First"/> + i)); null without a table.</summary>
    internal ReadOnlySpan<double> Cdf => _cdf;

    /// <summary>The count of the table's first entry.</summary>
    internal int First => _first;

    /// <summary>The guide table (<see cref="BuildGuide"/>): a count, or the complement of the first table index to search from; null without a table.</summary>
    internal ReadOnlySpan<int> Guide => _guide;

    /// <summary>The shift that takes 64 random bits to their guide bin.</summary>
    internal int GuideShift => _guideShift;

    /// <summary>Number of trials, <c>n</c>.</summary>
    internal int Trials => _n;

    /// <summary>Number of cells, <c>b</c>.</summary>
    internal int Cells => _cells;

    /// <summary>Fills <paramref name="counts"/> (length = cells) with one draw; the counts sum to the trials exactly.</summary>
    /// <remarks>
    /// Consumes the stream exactly as a cell-by-cell loop would: one <see cref="CounterRandom.NextDouble"/> per
    /// cell for the Poisson counts (again for every cell if their total exceeds the trials), then one
    /// <see cref="CounterRandom.NextUInt32"/> per unit left over. The bits are made in vector blocks.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Sample(ref CounterRandom random, Span<int> counts)
    {
        if (_cdf is null || _guide is null)
        {
            Binomial.SampleUniformMultinomial(ref random, _n, counts);
            return;
        }
        Span<ulong> bits = stackalloc ulong[Block];
        long total;
        do
        {
            total = 0;
            for (int start = 0; start < counts.Length; start += Block)
            {
                Span<int> cells = counts.Slice(start, Math.Min(Block, counts.Length - start));
                Span<ulong> block = bits[..cells.Length];
                random.Fill(block);
                total += PoissonCounts(block, cells);
            }
        }
        while (total > _n);

        AddUniformUnits(ref random, counts, _n - total, bits);
    }

    /// <summary>Inverts the table at each uniform; returns the sum of the counts.</summary>
    /// <remarks>
    /// A guide entry that decides its bin holds the count itself; one that holds a step of the distribution
    /// function holds the complement of the first candidate's table index, and the count is found by a short search.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long PoissonCounts(ReadOnlySpan<ulong> bits, Span<int> cells)
    {
        double[] cdf = _cdf!;
        // The guide has 2^(64 - shift) entries and every bin number x >> shift is below that: no bounds to check.
        ref int guide = ref MemoryMarshal.GetArrayDataReference(_guide!);
        int shift = _guideShift;
        long total = 0;
        for (int i = 0; i < cells.Length; i++)
        {
            ulong x = bits[i];
            // The guide bin of u = (x >> 11) / 2^53 is floor(u * 2^g) = x >> (64 - g), exactly.
            int k = Unsafe.Add(ref guide, (nint)(x >> shift));
            if (k < 0)
            {
                // The bin holds a step of the distribution function: search from its first candidate.
                double u = (x >> 11) * (1.0 / (1UL << 53));
                k = ~k;
                while (cdf[k] <= u)
                {
                    k++;
                }
                k += _first;
            }
            cells[i] = k;
            total += k;
        }
        return total;
    }

    /// <summary>Adds <paramref name="units"/> units to uniformly chosen cells (Lemire's bounded integers, as <see cref="CounterRandom.NextUInt32"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddUniformUnits(ref CounterRandom random, Span<int> counts, long units, Span<ulong> bits)
    {
        uint bound = (uint)_cells;
        uint threshold = (0u - bound) % bound;
        int used = 0;
        int available = 0;
        while (units > 0)
        {
            if (used == available)
            {
                available = (int)Math.Min(bits.Length, units);
                random.Fill(bits[..available]);
                used = 0;
            }
            ulong m = (bits[used++] >> 32) * bound;
            if ((uint)m < threshold)
            {
                // Rejected (rare): the draw continues with the stream's next output.
                continue;
            }
            counts[(int)(m >> 32)]++;
            units--;
        }
    }

    /// <summary>
    /// A guide table of 2^g bins over [0, 1) (Chen &amp; Asau), g chosen so that there are at least 32 bins per
    /// table entry: bin j decides the count when no step of the cdf falls inside it, and then holds the count,
    /// <paramref name="first"/> + k for the first k with cdf[k] &gt; j / 2^g; otherwise it holds that k complemented
    /// (negative), so that only those few bins need a search.
    /// </summary>
    private static (int[] Guide, int Shift) BuildGuide(double[] cdf, int first)
    {
        int bits = 10;
        while (bits < 20 && (1 << bits) < 32 * cdf.Length)
        {
            bits++;
        }
        var guide = new int[1 << bits];
        double scale = 1.0 / guide.Length;
        int k = 0;
        for (int j = 0; j < guide.Length; j++)
        {
            while (cdf[k] <= j * scale)
            {
                k++;
            }
            guide[j] = cdf[k] >= (j + 1) * scale ? first + k : ~k;
        }
        return (guide, 64 - bits);
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
