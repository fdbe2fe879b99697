using Specialize.Sampling;
using Xunit;

namespace Specialize.Tests.Blb;

public class RandomSamplingTests
{
    [Fact]
    public void Same_seed_and_stream_give_the_same_sequence_and_other_streams_differ()
    {
        var a = new CounterRandom(7, CounterRandom.StreamId(3, 4));
        var b = new CounterRandom(7, CounterRandom.StreamId(3, 4));
        var c = new CounterRandom(7, CounterRandom.StreamId(3, 5));
        var d = new CounterRandom(8, CounterRandom.StreamId(3, 4));
        int sameAsOther = 0;
        for (int i = 0; i < 1000; i++)
        {
            ulong x = a.NextUInt64();
            Assert.Equal(x, b.NextUInt64());
            if (x == c.NextUInt64() || x == d.NextUInt64())
            {
                sameAsOther++;
            }
        }
        Assert.Equal(0, sameAsOther);
    }

    [Fact]
    public void Uniform_doubles_have_the_moments_of_U01()
    {
        var random = new CounterRandom(1, 1);
        const int count = 200_000;
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < count; i++)
        {
            double u = random.NextDouble();
            Assert.InRange(u, 0.0, 1.0 - 1e-17);
            sum += u;
            sumSquares += u * u;
        }
        double mean = sum / count;
        double variance = sumSquares / count - mean * mean;
        Assert.InRange(mean, 0.5 - 5 * Math.Sqrt(1.0 / 12 / count), 0.5 + 5 * Math.Sqrt(1.0 / 12 / count));
        Assert.InRange(variance, 1.0 / 12 * 0.98, 1.0 / 12 * 1.02);
    }

    [Fact]
    public void Bounded_integers_cover_the_range_evenly()
    {
        var random = new CounterRandom(2, 9);
        var counts = new int[7];
        const int draws = 70_000;
        for (int i = 0; i < draws; i++)
        {
            counts[random.NextUInt32(7)]++;
        }
        double chiSquare = 0;
        foreach (int count in counts)
        {
            chiSquare += Math.Pow(count - draws / 7.0, 2) / (draws / 7.0);
        }
        Assert.True(chiSquare < 22.46, $"chi-square {chiSquare} over 6 degrees of freedom"); // p = 0.001
    }

    [Fact]
    public void Log_factorial_matches_a_sum_of_logarithms()
    {
        double exact = 0;
        for (int k = 1; k <= 5000; k++)
        {
            exact += Math.Log(k);
            Assert.True(Math.Abs(Binomial.LogFactorial(k) - exact) <= 1e-12 * Math.Max(1, exact), $"k = {k}");
        }
        Assert.Equal(0.0, Binomial.LogFactorial(0));
    }

    [Theory]
    [InlineData(5, 0.3)]           // inversion
    [InlineData(1000, 0.004)]      // inversion, n*p = 4
    [InlineData(100, 0.5)]         // transformed rejection
    [InlineData(1_000_000, 1e-4)]  // transformed rejection, mean 100
    [InlineData(2_000_000, 0.37)]  // transformed rejection, large mean
    [InlineData(50, 0.9)]          // p > 1/2 via the complement
    public void Binomial_draws_have_the_analytic_mean_and_variance(int n, double p)
    {
        var random = new CounterRandom(11, (ulong)n);
        const int draws = 200_000;
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < draws; i++)
        {
            int x = Binomial.Sample(ref random, n, p);
            Assert.InRange(x, 0, n);
            sum += x;
            sumSquares += (double)x * x;
        }
        double mean = sum / draws;
        double variance = (sumSquares - sum * mean) / (draws - 1);
        double trueMean = n * p;
        double trueVariance = n * p * (1 - p);
        Assert.True(Math.Abs(mean - trueMean) <= 5 * Math.Sqrt(trueVariance / draws), $"mean {mean} vs {trueMean}");
        // The sample variance's standard error is about variance * sqrt(2 / draws) = 0.32% of it.
        Assert.True(Math.Abs(variance / trueVariance - 1) <= 0.02, $"variance {variance} vs {trueVariance}");
    }

    [Theory]
    [InlineData(20, 0.3)]  // inversion
    [InlineData(60, 0.4)]  // transformed rejection (n*p = 24)
    [InlineData(400, 0.2)] // transformed rejection (n*p = 80)
    public void Binomial_draws_follow_the_exact_probability_mass_function(int n, double p)
    {
        var random = new CounterRandom(5, (ulong)(n * 1000));
        const int draws = 400_000;
        var counts = new long[n + 1];
        for (int i = 0; i < draws; i++)
        {
            counts[Binomial.Sample(ref random, n, p)]++;
        }
        // Chi-square over cells with expected count >= 20, the tails pooled into one cell.
        double chiSquare = 0, pooledExpected = 0, pooledObserved = 0;
        int cells = 0;
        for (int k = 0; k <= n; k++)
        {
            double logPmf = Binomial.LogFactorial(n) - Binomial.LogFactorial(k) - Binomial.LogFactorial(n - k)
                + k * Math.Log(p) + (n - k) * Math.Log(1 - p);
            double expected = draws * Math.Exp(logPmf);
            if (expected >= 20)
            {
                chiSquare += Math.Pow(counts[k] - expected, 2) / expected;
                cells++;
            }
            else
            {
                pooledExpected += expected;
                pooledObserved += counts[k];
            }
        }
        if (pooledExpected >= 5)
        {
            chiSquare += Math.Pow(pooledObserved - pooledExpected, 2) / pooledExpected;
            cells++;
        }
        int df = cells - 1;
        // Upper 0.1% point of chi-square by the Wilson-Hilferty approximation.
        double z = 3.09;
        double critical = df * Math.Pow(1 - 2.0 / (9 * df) + z * Math.Sqrt(2.0 / (9 * df)), 3);
        Assert.True(chiSquare < critical, $"chi-square {chiSquare} over {df} degrees of freedom, critical {critical}");
    }

    [Fact]
    public void Multinomial_counts_sum_to_the_trials_with_the_analytic_moments()
    {
        const int n = 100_000;
        const int cells = 50;
        const int draws = 20_000;
        var counts = new int[cells];
        var sum = new double[cells];
        var sumSquares = new double[cells];
        double crossSum = 0;
        for (int i = 0; i < draws; i++)
        {
            var random = new CounterRandom(3, (ulong)i);
            Binomial.SampleUniformMultinomial(ref random, n, counts);
            long total = 0;
            for (int c = 0; c < cells; c++)
            {
                Assert.True(counts[c] >= 0);
                total += counts[c];
                sum[c] += counts[c];
                sumSquares[c] += (double)counts[c] * counts[c];
            }
            Assert.Equal(n, total);
            crossSum += (double)counts[0] * counts[cells - 1];
        }
        double p = 1.0 / cells;
        double trueMean = n * p;
        double trueVariance = n * p * (1 - p);
        for (int c = 0; c < cells; c++)
        {
            double mean = sum[c] / draws;
            double variance = sumSquares[c] / draws - mean * mean;
            Assert.True(Math.Abs(mean - trueMean) <= 5 * Math.Sqrt(trueVariance / draws), $"cell {c} mean {mean}");
            Assert.True(Math.Abs(variance / trueVariance - 1) <= 0.06, $"cell {c} variance {variance} vs {trueVariance}");
        }
        // Cov(N_1, N_k) = -n p^2 for the first and the last cell (the last one is the remainder of the chain).
        double covariance = crossSum / draws - (sum[0] / draws) * (sum[cells - 1] / draws);
        double trueCovariance = -n * p * p;
        Assert.True(Math.Abs(covariance - trueCovariance) <= 0.1 * trueVariance, $"covariance {covariance} vs {trueCovariance}");
    }

    [Fact]
    public void Multinomial_with_fewer_trials_than_cells_still_sums_exactly()
    {
        var counts = new int[1000];
        for (int i = 0; i < 100; i++)
        {
            var random = new CounterRandom(4, (ulong)i);
            Binomial.SampleUniformMultinomial(ref random, 37, counts);
            int total = 0;
            foreach (int c in counts)
            {
                total += c;
            }
            Assert.Equal(37, total);
        }
    }

    [Theory]
    [InlineData(12, 3)]  // Poisson table, λ = 0.54
    [InlineData(30, 4)]  // Poisson table, λ = 3.4
    [InlineData(9, 3)]   // conditional-binomial chain
    public void Uniform_multinomial_follows_the_exact_probability_mass_function(int trials, int cells)
    {
        var sampler = new UniformMultinomial(trials, cells);
        Assert.Equal(trials >= 10, sampler.UsesPoissonTable);
        const int draws = 300_000;
        var observed = new Dictionary<string, int>();
        var counts = new int[cells];
        for (int i = 0; i < draws; i++)
        {
            var random = new CounterRandom(21, (ulong)i);
            sampler.Sample(ref random, counts);
            Assert.Equal(trials, counts.Sum());
            string key = string.Join(",", counts);
            observed[key] = observed.GetValueOrDefault(key) + 1;
        }
        // Every outcome with its exact probability n! / (k1! ... km!) m^-n; cells with expected count below 20 pooled.
        double chiSquare = 0, pooledExpected = 0, pooledObserved = 0;
        int terms = 0;
        foreach (int[] outcome in Compositions(trials, cells))
        {
            double logP = Binomial.LogFactorial(trials) - trials * Math.Log(cells);
            foreach (int k in outcome)
            {
                logP -= Binomial.LogFactorial(k);
            }
            double expected = draws * Math.Exp(logP);
            int seen = observed.GetValueOrDefault(string.Join(",", outcome));
            if (expected >= 20)
            {
                chiSquare += Math.Pow(seen - expected, 2) / expected;
                terms++;
            }
            else
            {
                pooledExpected += expected;
                pooledObserved += seen;
            }
        }
        if (pooledExpected >= 5)
        {
            chiSquare += Math.Pow(pooledObserved - pooledExpected, 2) / pooledExpected;
            terms++;
        }
        int df = terms - 1;
        double critical = df * Math.Pow(1 - 2.0 / (9 * df) + 3.09 * Math.Sqrt(2.0 / (9 * df)), 3);
        Assert.True(chiSquare < critical, $"chi-square {chiSquare} over {df} degrees of freedom, critical {critical}");
    }

    private static IEnumerable<int[]> Compositions(int total, int parts)
    {
        if (parts == 1)
        {
            yield return [total];
            yield break;
        }
        for (int first = 0; first <= total; first++)
        {
            foreach (int[] rest in Compositions(total - first, parts - 1))
            {
                yield return [first, .. rest];
            }
        }
    }

    [Theory]
    [InlineData(100_000, 50)]
    [InlineData(1_000_000, 15_849)]
    [InlineData(2_000, 2_000)]
    public void Uniform_multinomial_weights_sum_to_n_with_the_analytic_moments(int trials, int cells)
    {
        var sampler = new UniformMultinomial(trials, cells);
        Assert.True(sampler.UsesPoissonTable);
        int draws = Math.Max(20, 2_000_000 / cells);
        var counts = new int[cells];
        double sum = 0, sumSquares = 0, crossSum = 0;
        long values = 0;
        for (int i = 0; i < draws; i++)
        {
            var random = new CounterRandom(8, (ulong)i);
            sampler.Sample(ref random, counts);
            long total = 0;
            for (int c = 0; c < cells; c++)
            {
                Assert.True(counts[c] >= 0);
                total += counts[c];
                sum += counts[c];
                sumSquares += (double)counts[c] * counts[c];
            }
            Assert.Equal(trials, total);
            for (int c = 0; c + 1 < cells; c += 2)
            {
                crossSum += (double)counts[c] * counts[c + 1];
            }
            values += cells;
        }
        double p = 1.0 / cells;
        double mean = sum / values;
        double variance = sumSquares / values - mean * mean;
        double trueVariance = trials * p * (1 - p);
        Assert.Equal(trials * p, mean, 9); // exact: every draw sums to n
        Assert.True(Math.Abs(variance / trueVariance - 1) <= 0.02, $"variance {variance} vs {trueVariance}");
        double covariance = crossSum / (values / 2) - mean * mean;
        Assert.True(Math.Abs(covariance + trials * p * p) <= 0.03 * trueVariance, $"covariance {covariance} vs {-trials * p * p}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(64)]
    [InlineData(1027)]
    public void Fill_writes_what_successive_draws_return_and_the_stream_goes_on_after_them(int length)
    {
        var filled = new CounterRandom(11, CounterRandom.StreamId(2, 7));
        var drawn = new CounterRandom(11, CounterRandom.StreamId(2, 7));
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(drawn.NextUInt64(), filled.NextUInt64()); // an offset that is not a multiple of the vector width
        }
        var block = new ulong[length];
        filled.Fill(block);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(drawn.NextUInt64(), block[i]);
        }
        Assert.Equal(drawn.NextUInt64(), filled.NextUInt64());
    }

    [Theory]
    [InlineData(100, 10, 3000)]          // small table, rejections of the Poisson total happen
    [InlineData(100_000, 50, 200)]       // wide table
    [InlineData(1_000_000, 15_849, 20)]  // the BLB default at n = 1e6
    [InlineData(5_000, 1_200, 200)]      // λ near 4: the table starts at 0
    public void Uniform_multinomial_equals_cell_by_cell_inversion_by_linear_search(int trials, int cells, int seeds)
    {
        // The reference: one uniform per cell inverted by scanning the distribution function from its start,
        // redrawn while the Poisson total exceeds the trials, then one bounded integer per leftover unit.
        var sampler = new UniformMultinomial(trials, cells);
        Assert.True(sampler.UsesPoissonTable);
        double[] cdf = sampler.Cdf.ToArray();
        var counts = new int[cells];
        var expected = new int[cells];
        for (int seed = 0; seed < seeds; seed++)
        {
            var random = new CounterRandom(3, (ulong)seed);
            var reference = new CounterRandom(3, (ulong)seed);
            sampler.Sample(ref random, counts);
            long total;
            do
            {
                total = 0;
                for (int c = 0; c < cells; c++)
                {
                    double u = reference.NextDouble();
                    int k = 0;
                    while (cdf[k] <= u)
                    {
                        k++;
                    }
                    expected[c] = sampler.First + k;
                    total += expected[c];
                }
            }
            while (total > trials);
            for (long left = trials - total; left > 0; left--)
            {
                expected[reference.NextUInt32((uint)cells)]++;
            }
            Assert.Equal(expected, counts);
        }
    }

    [Fact]
    public void Subsamples_are_distinct_sorted_and_each_row_is_equally_likely()
    {
        const int n = 40;
        const int size = 10;
        const int draws = 40_000;
        var inclusion = new int[n];
        var indices = new int[size];
        var seen = new HashSet<int>();
        for (int i = 0; i < draws; i++)
        {
            var random = new CounterRandom(6, (ulong)i);
            Subsampling.DrawSorted(ref random, n, indices, seen);
            for (int k = 0; k < size; k++)
            {
                Assert.InRange(indices[k], 0, n - 1);
                if (k > 0)
                {
                    Assert.True(indices[k] > indices[k - 1]);
                }
                inclusion[indices[k]]++;
            }
        }
        double expected = (double)draws * size / n;
        double chiSquare = 0;
        foreach (int count in inclusion)
        {
            chiSquare += Math.Pow(count - expected, 2) / expected;
        }
        // Inclusion counts are negatively correlated (a fixed total), which only lowers chi-square; bound at p = 0.001, 39 df.
        Assert.True(chiSquare < 72.05, $"chi-square {chiSquare}");
    }

    [Fact]
    public void A_subsample_of_every_row_is_the_identity()
    {
        var indices = new int[25];
        var random = new CounterRandom(1, 1);
        Subsampling.DrawSorted(ref random, 25, indices, new HashSet<int>());
        Assert.Equal(Enumerable.Range(0, 25).ToArray(), indices);
    }

    [Theory]
    [InlineData(1_000, 30)]
    [InlineData(1_000_000, 15_849)] // n = 1e6, b = ceil(n^0.7)
    [InlineData(130, 129)]          // nearly every row; n not a multiple of 64
    [InlineData(64, 1)]
    [InlineData(77, 77)]            // every row
    public void Bitmap_draw_gives_the_indices_of_the_hash_set_draw(int n, int size)
    {
        var expected = new int[size];
        var actual = new int[size];
        var bits = new ulong[Subsampling.BitmapWords(n)];
        Array.Fill(bits, ulong.MaxValue); // stale bits from an earlier draw must not matter
        for (int stream = 0; stream < 5; stream++)
        {
            var a = new CounterRandom(11, CounterRandom.StreamId(stream, -1));
            var b = new CounterRandom(11, CounterRandom.StreamId(stream, -1));
            Subsampling.DrawSorted(ref a, n, expected, new HashSet<int>());
            Subsampling.DrawSorted(ref b, n, actual, bits);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Bitmap_shorter_than_n_bits_is_rejected_naming_it()
    {
        var random = new CounterRandom(1, 1);
        var exception = Assert.Throws<ArgumentException>(() => Subsampling.DrawSorted(ref random, 129, new int[10], new ulong[2]));
        Assert.Equal("bits", exception.ParamName);
    }

    [Fact]
    public void Bitmap_is_used_where_it_is_short_next_to_the_sample_and_fits_the_memory_bound()
    {
        Assert.True(Subsampling.BitmapPays(1_000_000, 15_849));  // 15,625 words for 15,849 indices
        Assert.False(Subsampling.BitmapPays(1_000_000, 100));    // 15,625 words for 100 indices
        Assert.False(Subsampling.BitmapPays(int.MaxValue, 50_000_000)); // 32 Mi words: past 16 MiB
    }
}
